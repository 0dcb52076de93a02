"""What every service process runs beside its own logic, declared with the app and started with it.

Built with the app, so its Kafka subscriptions and publications are known before anything runs —
which is what the AsyncAPI document is generated from. `running()` then starts, in order, the
schema (migrated by its owner role, which grants the runtime role its rights), the runtime role's
pool, the idempotent producer and outbox relay, and the broker; and stops them in reverse, so
consumers stop taking work before the relay and the pool they depend on go away. The topics are
made by whoever deploys the platform (`make up`), not by the services, which may not create them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any, Union

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from platform_plumbing.audit_trail import seal_forever
from platform_plumbing.database import create_pool
from platform_plumbing.kafka_clients import admin_for, create_broker, create_producer
from platform_plumbing.letterbox import Letterbox
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.migrations import ServiceSchema
from platform_plumbing.outbox_relay import OutboxRelay
from platform_plumbing.priority_lane import Expedite, PriorityLane
from platform_plumbing.replays import REQUESTS, DeadLetterReader, Replays
from platform_plumbing.sealed_letters import SealedLetters
from platform_plumbing.settings import PlatformSettings
from platform_plumbing.subscriptions import subscribe_transactionally
from platform_plumbing.topic_admin import ensure_topics
from platform_plumbing.transactional_consumer import BatchLoad, Handler, TransactionalBatchConsumer
from schemas.registry import MESSAGE_TYPES
from schemas.topics import DEAD_LETTERS, REPLAYS, Directory, Topic, catalogue_topic_of


class ServiceRuntime:
    def __init__(
        self,
        settings: PlatformSettings,
        *,
        tables: ServiceSchema,
        schema: str,
        metrics: ServiceMetrics,
        creates: tuple[Topic, ...] = (),
    ) -> None:
        """`creates`: the kinds of per-party topic this service makes when it first publishes to a party's
        (compliance: an agency's referrals); every other topic is made by whoever deploys the platform."""
        self.settings = settings
        self.service = tables.service
        self.tables = tables
        self.schema = schema
        self.creates = creates
        self.metrics = metrics
        self.broker = create_broker(settings.kafka, client_id=self.service, metrics=metrics)
        self._consumers: list[TransactionalBatchConsumer] = []
        self._lanes: list[PriorityLane] = []
        self._letterboxes: list[tuple[str, str]] = []
        """(consumer group, topics pattern) of what the service empties as it reads (see `letterbox`)."""
        self._dead_letter_reader = DeadLetterReader(
            settings.kafka, settings.topic(DEAD_LETTERS.name), client_id=f"{self.service}-replays"
        )

    def consume(
        self,
        handler: Handler,
        registry: Mapping[str, type[BaseModel]],
        *topics: Topic,
        group: str,
        title: str,
        load: BatchLoad | None = None,
        sealed_letters: SealedLetters | None = None,
        empties: tuple[Topic, ...] = (),
    ) -> None:
        """Subscribe `handler` to `topics` (under the test or deployment prefix; a topic per party means every
        party's, by pattern) through a transactional batch consumer whose poison records go to the
        dead-letter topic. A batch is applied in the order `topics` are named, so name first what the others
        refer to (cases before referrals before agencies' updates about them). `empties`: those of `topics`
        from which the group deletes what it has processed (see `letterbox`)."""
        carried = {topic.name: {t: model for t, model in registry.items() if t in topic.carries} for topic in topics}
        topics = (*topics, REPLAYS)  # the operations team's requests to read a dead letter again, applied last
        rank = {topic.name: place for place, topic in enumerate(topics)}
        prefix = self.settings.topic_prefix

        @functools.cache
        def kind_of(name: str) -> str | None:
            kind = catalogue_topic_of(name, prefix)
            return kind.name if kind else None

        def carried_by(name: str) -> Mapping[str, type[BaseModel]]:
            return carried.get(kind_of(name), {})

        def rank_of(name: str) -> int:
            return rank.get(kind_of(name), len(rank))

        consumer = TransactionalBatchConsumer(
            registry=carried_by,
            order=rank_of,
            handler=handler,
            service=self.service,
            dead_letter_topic=self.settings.topic(DEAD_LETTERS.name),
            max_attempts=self.settings.max_delivery_attempts,
            max_record_bytes=self.settings.max_record_bytes,
            metrics=self.metrics,
            load=load,
            sealed_letters=sealed_letters,
            replays=Replays(
                self._dead_letter_reader,
                requests_topic=self.settings.topic(REPLAYS.name),
                service=self.service,
            ),
            audited=self._audited,
        )
        self._consumers.append(consumer)
        if empties:
            self._letterboxes.append((self.settings.topic(group), topics_pattern(empties, self.settings.topic_prefix)))
        description = "; ".join(
            f"{topic.name}: {', '.join(t for t in topic.carries if t in {**registry, **REQUESTS})}" for topic in topics
        )
        subscribe_transactionally(
            self.broker,
            consumer,
            pattern=topics_pattern(topics, self.settings.topic_prefix),
            group_id=self.settings.topic(group),
            settings=self.settings,
            title=title,
            description=f"CloudEvents (binary mode) consumed — {description}",
        )

    def expedite(self, expedite: Expedite, registry: Mapping[str, type[BaseModel]], *topics: Topic, lane: str) -> None:
        """Apply `registry`'s types on `topics` at once, ahead of the lag of the consumer that `consume` subscribed
        to them, which stays the guarantee (see `priority_lane`)."""
        self._lanes.append(
            PriorityLane(
                self.settings.kafka,
                name=lane,
                pattern=topics_pattern(topics, self.settings.topic_prefix),
                group_id=self.settings.topic(f"{self.service}.{lane}"),
                types=registry,
                expedite=expedite,
                max_record_bytes=self.settings.max_record_bytes,
                metrics=self.metrics,
            )
        )

    @property
    def _audited(self) -> bool:
        """Whether the service keeps an audit trail (which its replays are then recorded in)."""
        return "audit_chain" in self.tables.privileges.append_only

    @property
    def lanes(self) -> tuple[PriorityLane, ...]:
        """The service's priority lanes, one per `expedite`."""
        return tuple(self._lanes)

    @property
    def consumers(self) -> tuple[TransactionalBatchConsumer, ...]:
        """The service's batch consumers, one per `consume`."""
        return tuple(self._consumers)

    def publishes(self, *topics: Topic, types: tuple[str, ...] | None = None) -> None:
        """Declare what the service publishes (through its outbox), for the AsyncAPI document."""
        for topic in topics:
            carried = [t for t in topic.carries if types is None or t in types]
            self.broker.publisher(
                self.settings.topic(topic.name),
                title=f"{self.service} → {topic.name}",
                description=topic.description,
                schema=_union(carried),
            )

    def asyncapi(self, *, title: str, version: str, description: str) -> dict[str, Any]:
        return (
            AsyncAPI(self.broker, title=title, version=version, description=description, schema_version="3.0.0")
            .to_specification()
            .to_jsonable()
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[asyncpg.Pool]:
        settings = self.settings
        await self.tables.prepare(settings, self.schema)
        pool = await create_pool(settings.database_url, self.schema, max_size=settings.database_pool_size)
        producer = create_producer(settings.kafka, client_id=f"{self.service}-outbox")
        relay_task: asyncio.Task | None = None
        emptier: asyncio.Task | None = None
        lanes: list[asyncio.Task] = []
        admin = admin_for(settings.kafka, client_id=f"{self.service}-letterbox") if self._letterboxes else None
        sealer = (
            asyncio.create_task(seal_forever(pool, settings.audit_seal_seconds), name=f"{self.service}-audit-sealer")
            if self._audited
            else None
        )
        try:
            await producer.start()
            relay = OutboxRelay(
                pool,
                producer,
                batch_size=settings.outbox_batch_size,
                poll_seconds=settings.outbox_poll_seconds,
                straight_grace_seconds=settings.outbox_straight_grace_seconds,
                metrics=self.metrics,
                prepare_topics=self._create_party_topics if self.creates else None,
            )
            relay_task = asyncio.create_task(relay.run(), name=f"{self.service}-outbox-relay")
            if admin is not None:
                await admin.start()
                emptier = asyncio.create_task(self._empty_letterboxes(admin), name=f"{self.service}-letterbox")
            for consumer in self._consumers:
                consumer.bind(pool, relay)
            for lane in self._lanes:
                lane.bind(pool, relay)
            await self.broker.start()
            lanes = [asyncio.create_task(lane.run(), name=f"{self.service}-{lane.name}") for lane in self._lanes]
            yield pool
        finally:
            for task in lanes:
                task.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)
            await self.broker.stop()
            for consumer in self._consumers:
                await consumer.close()
            for task in (relay_task, sealer, emptier):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await producer.stop()
            await self._dead_letter_reader.close()
            if emptier is not None:
                await admin.close()
            await pool.close()

    async def _empty_letterboxes(self, admin: AIOKafkaAdminClient) -> None:
        await asyncio.gather(
            *(
                Letterbox(admin, group_id, pattern).empty_forever(self.settings.letterbox_seconds)
                for group_id, pattern in self._letterboxes
            )
        )

    async def _create_party_topics(self, names: set[str]) -> None:
        for topic in self.creates:
            parties = tuple(sorted({p for name in names if (p := topic.party_of(name, self.settings.topic_prefix))}))
            if parties:
                directory = Directory(forces=parties) if topic.per == "force" else Directory(agencies=parties)
                await ensure_topics(
                    self.settings.kafka, [topic], directory=directory, prefix=self.settings.topic_prefix
                )


def topics_pattern(topics: tuple[Topic, ...], prefix: str) -> str:
    """One regular expression for `topics` under `prefix`: every party's topic where a topic is per party."""
    return "^" + re.escape(prefix) + "(?:" + "|".join(topic.pattern() for topic in topics) + ")$"


def _union(types: list[str]) -> Any:
    """The payload schema of a topic: its event models as one union (none for the dead-letter topic,
    which carries whatever failed)."""
    models = tuple(MESSAGE_TYPES[t] for t in types)
    if not models:
        return None
    return Union[models] if len(models) > 1 else models[0]  # noqa: UP007 - a runtime union of classes
