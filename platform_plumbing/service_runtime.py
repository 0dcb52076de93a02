"""What every service process runs beside its own logic, started and stopped in the right order.

Start: the schema's pool (migrated), the catalogue's topics, the idempotent producer and the
outbox relay, and a FastStream broker for the service to subscribe on. Stop in reverse, so the
consumers stop taking work before the relay and the pool they depend on go away.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from faststream.kafka import KafkaBroker
from pydantic import BaseModel

from platform_plumbing.database import create_pool
from platform_plumbing.kafka_clients import create_broker, create_producer
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.migrations import migrate
from platform_plumbing.outbox_relay import OutboxRelay
from platform_plumbing.settings import PlatformSettings
from platform_plumbing.subscriptions import subscribe_transactionally
from platform_plumbing.topic_admin import ensure_topics
from platform_plumbing.transactional_consumer import Handler, TransactionalBatchConsumer
from schemas.topics import CATALOGUE, DEAD_LETTERS, Topic


@dataclass(frozen=True)
class Runtime:
    pool: asyncpg.Pool
    broker: KafkaBroker
    settings: PlatformSettings
    service: str
    metrics: ServiceMetrics

    def consume(
        self, handler: Handler, registry: Mapping[str, type[BaseModel]], *topics: Topic, group: str, title: str
    ) -> None:
        """Subscribe `handler` to `topics` (under the test or deployment prefix) through a transactional
        batch consumer whose poison records go to the dead-letter topic."""
        consumer = TransactionalBatchConsumer(
            pool=self.pool,
            registry=registry,
            handler=handler,
            service=self.service,
            dead_letter_topic=self.settings.topic(DEAD_LETTERS.name),
            max_attempts=self.settings.max_delivery_attempts,
            metrics=self.metrics,
        )
        subscribe_transactionally(
            self.broker,
            consumer,
            *(self.settings.topic(topic.name) for topic in topics),
            group_id=self.settings.topic(group),
            settings=self.settings,
            title=title,
        )


@contextlib.asynccontextmanager
async def service_runtime(
    settings: PlatformSettings,
    *,
    service: str,
    schema: str,
    migrations: Path,
    metrics: ServiceMetrics,
) -> AsyncIterator[Runtime]:
    """Yield a runtime whose broker is not started yet: register subscribers, then `broker.start()`."""
    pool = await create_pool(settings.database_url, schema, max_size=settings.database_pool_size)
    producer = create_producer(settings, client_id=f"{service}-outbox")
    broker = create_broker(settings, client_id=service, metrics=metrics)
    relay_task: asyncio.Task | None = None
    try:
        await migrate(pool, {service: migrations})
        await ensure_topics(settings.kafka_bootstrap_servers, CATALOGUE, prefix=settings.topic_prefix)
        await producer.start()
        relay = OutboxRelay(
            pool,
            producer,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            metrics=metrics,
        )
        relay_task = asyncio.create_task(relay.run(), name=f"{service}-outbox-relay")
        yield Runtime(pool=pool, broker=broker, settings=settings, service=service, metrics=metrics)
    finally:
        await broker.stop()
        if relay_task is not None:
            relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay_task
        await producer.stop()
        await pool.close()
