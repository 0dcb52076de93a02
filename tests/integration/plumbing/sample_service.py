"""A minimal service built on the plumbing, used to test it on the real broker and database.

Its one handler records each event's effect in `effects`; any double effect is therefore a row
too many. `python -m tests.integration.plumbing.sample_service` runs it as a separate process
that SIGKILLs itself during its first batch: `after-db-commit` dies between the database commit
and the offset commit; `mid-batch` dies inside the batch's transaction after lingering longer
than any auto-commit interval, which would expose an offset committed ahead of the database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import ClassVar

import asyncpg
from faststream.kafka import KafkaBroker
from pydantic import field_validator

from platform_plumbing.database import create_pool
from platform_plumbing.kafka_clients import create_broker
from platform_plumbing.service_runtime import topics_pattern
from platform_plumbing.settings import PlatformSettings
from platform_plumbing.subscriptions import subscribe_transactionally
from platform_plumbing.transactional_consumer import Batch, IncomingEvent, PoisonMessage, TransactionalBatchConsumer
from schemas.base import Event
from schemas.topics import CASES, DEAD_LETTERS

GROUP = "sample-service"
AUTO_COMMIT_INTERVAL_SECONDS = 5  # FastStream's and aiokafka's default


class SampleHappened(Event):
    event_type: ClassVar[str] = "uk.police.diversion.test.sample-happened.v1"
    label: str
    personal: dict[str, str] | None = None

    @field_validator("label")
    @classmethod
    def _parsers_can_raise_anything(cls, label: str) -> str:
        """What a hostile record can make a parser raise is not only `ValueError` (issue 22: `json.loads`
        raised `RecursionError`); pydantic lets anything but a `ValueError` through, as this does."""
        if label == "recurse":
            raise RecursionError("maximum recursion depth exceeded")
        return label


REGISTRY = {SampleHappened.event_type: SampleHappened}
EFFECTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS effects (event_id text NOT NULL, case_id uuid NOT NULL, label text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS appended (event_id text NOT NULL, label text NOT NULL)"
)


async def record_effect(batch: Batch, event: IncomingEvent) -> None:
    """Writes the effect and queues an appended row first, then objects to labels it cannot handle — so a
    rejected event's effect must be rolled back by the savepoint, and its queued row forgotten, or the test
    sees them."""
    payload = event.payload
    await batch.connection.execute(
        "INSERT INTO effects VALUES ($1, $2, $3)", event.attributes.id, payload.case_id, payload.label
    )
    batch.writes.add("appended", ("event_id", "label"), [(event.attributes.id, payload.label)])
    if payload.label == "refuse":
        raise PoisonMessage("label not accepted by the sample handler")
    if payload.label == "explode":
        raise KeyError("a bug in the handler")


def build_consumer(
    pool: asyncpg.Pool, settings: PlatformSettings, handler=record_effect, **options
) -> TransactionalBatchConsumer:
    """The sample consumer; `options` (a `load` step, `sealed_letters`) as `TransactionalBatchConsumer` takes."""
    consumer = TransactionalBatchConsumer(
        registry=lambda topic: REGISTRY,
        handler=handler,
        service="sample",
        dead_letter_topic=settings.topic(DEAD_LETTERS.name),
        max_attempts=settings.max_delivery_attempts,
        **options,
    )
    consumer.bind(pool)
    return consumer


def build_broker(consumer: TransactionalBatchConsumer, settings: PlatformSettings) -> KafkaBroker:
    broker = create_broker(settings.kafka, client_id="sample")
    subscribe_transactionally(
        broker,
        consumer,
        pattern=topics_pattern((CASES,), settings.topic_prefix),
        group_id=settings.topic(GROUP),
        settings=settings,
    )
    return broker


async def run_and_die(settings: PlatformSettings, schema: str, moment: str) -> None:
    pool = await create_pool(settings.database_url, schema)
    if moment == "after-db-commit":
        consumer = build_consumer(pool, settings)
        process = consumer.process

        async def process_then_die(records):
            await process(records)
            os.kill(os.getpid(), signal.SIGKILL)

        consumer.process = process_then_die
    else:

        async def linger_then_die(batch, event):
            await record_effect(batch, event)
            await asyncio.sleep(AUTO_COMMIT_INTERVAL_SECONDS + 2)
            os.kill(os.getpid(), signal.SIGKILL)

        consumer = build_consumer(pool, settings, handler=linger_then_die)
    async with build_broker(consumer, settings) as broker:
        await broker.start()
        await asyncio.sleep(120)


if __name__ == "__main__":
    asyncio.run(run_and_die(PlatformSettings(), schema=sys.argv[1], moment=sys.argv[2]))
