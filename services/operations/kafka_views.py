"""Read-only views of the topics for the operations team: counts, lag, dead letters, a live tail.

They use a plain consumer with no group (nothing is committed, no service's position moves),
and show personal data never: the `personal` sub-object of any payload is replaced by a marker.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord, TopicPartition

from platform_plumbing.kafka_clients import KafkaAccess, admin_for, consumer_for
from platform_plumbing.sealed_letters import SEALED_BODY
from schemas import bounded_json
from schemas.envelope import InvalidEnvelope, read_attributes
from schemas.topics import CATALOGUE, DEAD_LETTERS, catalogue_topic_of

REDACTED = "«personal data not shown»"
SEALED = "«sealed: a police command holding personal data; `dlq replay` sends it back to intake, which opens it»"


@dataclass(frozen=True)
class TopicCount:
    name: str
    partitions: int
    messages: int
    description: str


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        return max(self.end - self.committed, 0)


class KafkaViews:
    """The counts, lag and latest records the operations team reads, on connections opened once and kept.

    The dashboard asks every five seconds. Opening SCRAM-over-TLS connections for each question cost more than
    the question: on a busy machine the page's flow and lag parts missed their time and showed as unavailable.
    The connections open on first use (a broker away when the dashboard starts stops nothing) and aiokafka
    reconnects them by itself after that. One-off callers use the module's functions, which open and close one.
    """

    def __init__(self, kafka: KafkaAccess, prefix: str = "") -> None:
        self._kafka = kafka
        self._prefix = prefix
        self._admin: AIOKafkaAdminClient | None = None
        self._consumers: dict[str, AIOKafkaConsumer] = {}
        """Group-less consumers by purpose: `offsets` answers offset questions, `reader` is assigned and sought per
        question (under `_reading`: two questions at once would move each other's place)."""
        self._opening = asyncio.Lock()
        self._reading = asyncio.Lock()

    async def __aenter__(self) -> KafkaViews:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        async with self._opening:
            admin, consumers = self._admin, list(self._consumers.values())
            self._admin, self._consumers = None, {}
            for consumer in consumers:
                await consumer.stop()
            if admin is not None:
                await admin.close()

    async def _admin_client(self) -> AIOKafkaAdminClient:
        async with self._opening:
            if self._admin is None:
                admin = admin_for(self._kafka, request_timeout_ms=10_000)
                await _start(admin.start, admin.close)
                self._admin = admin
            return self._admin

    async def _consumer(self, purpose: str) -> AIOKafkaConsumer:
        """The consumer kept for `purpose`, started when first asked for (a one-off question opens only what it
        needs: each SCRAM-over-TLS connection costs about a second)."""
        async with self._opening:
            if purpose not in self._consumers:
                consumer = consumer_for(self._kafka, request_timeout_ms=10_000)
                await _start(consumer.start, consumer.stop)
                self._consumers[purpose] = consumer
            return self._consumers[purpose]

    async def catalogue_topics(self) -> list[str]:
        """Every topic on the broker that belongs to the catalogue under the prefix — each force's and each
        agency's included — in the catalogue's order."""
        names = await (await self._admin_client()).list_topics()
        prefix = self._prefix
        return sorted((name for name in names if catalogue_topic_of(name, prefix)), key=_catalogue_order(prefix))

    async def partitions_of(self, names: list[str]) -> dict[str, list[TopicPartition]]:
        """The partitions of each named topic that exists."""
        admin = await self._admin_client()
        return {
            topic["topic"]: [
                TopicPartition(topic["topic"], p["partition"])
                for p in sorted(topic["partitions"], key=lambda p: p["partition"])
            ]
            for topic in await admin.describe_topics(names)
            if topic["error_code"] == 0
        }

    async def topic_counts(self) -> list[TopicCount]:
        names = await self.catalogue_topics()
        partitions = await self.partitions_of(names)
        start, end = await self._bounds([tp for tps in partitions.values() for tp in tps])
        return [
            TopicCount(
                name,
                len(partitions.get(name, [])),
                sum(end[tp] - start[tp] for tp in partitions.get(name, [])),
                catalogue_topic_of(name, self._prefix).description,
            )
            for name in names
        ]

    async def consumer_lag(self) -> list[PartitionLag]:
        """Lag of every consumer group on the catalogue's topics, per partition."""
        lags = []
        for group, *_ in sorted(await (await self._admin_client()).list_consumer_groups()):
            committed = {
                tp: offset
                for tp, offset in (await self.committed(group)).items()
                if catalogue_topic_of(tp.topic, self._prefix)
            }
            if not committed:
                continue
            ends = await self.end_offsets(list(committed))
            lags.extend(
                PartitionLag(group, tp.topic, tp.partition, max(offset, 0), ends[tp])
                for tp, offset in sorted(committed.items())
            )
        return lags

    async def latest(self, topic: str, count: int) -> tuple[int, list[ConsumerRecord]]:
        """How many records `topic` holds, and its last `count` by time, newest first — read from the end of
        each partition, so the answer costs the same however long the topic has grown."""
        partitions = (await self.partitions_of([topic])).get(topic, [])
        start, end = await self._bounds(partitions)
        reader = await self._consumer("reader")
        async with self._reading:
            reader.assign(partitions)
            for tp in partitions:
                reader.seek(tp, max(start[tp], end[tp] - count))
            records: list[ConsumerRecord] = []
            while [tp for tp in partitions if await reader.position(tp) < end[tp]]:
                for tp, batch in (await reader.getmany(timeout_ms=1000)).items():
                    records.extend(record for record in batch if record.offset < end[tp])
        held = sum(end[tp] - start[tp] for tp in partitions)
        return held, sorted(records, key=lambda r: (r.timestamp, r.partition, r.offset), reverse=True)[:count]

    async def committed(self, group: str) -> dict[TopicPartition, int]:
        """The offsets `group` has committed, by partition (−1 where Kafka knows of none)."""
        offsets = await (await self._admin_client()).list_consumer_group_offsets(group)
        return {tp: meta.offset for tp, meta in offsets.items()}

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return await (await self._consumer("offsets")).end_offsets(partitions)

    async def _bounds(self, partitions: list[TopicPartition]) -> tuple[dict, dict]:
        offsets = await self._consumer("offsets")
        return await offsets.beginning_offsets(partitions), await offsets.end_offsets(partitions)


async def _start(start: Callable[[], Awaitable], stop: Callable[[], Awaitable]) -> None:
    """Start a client, or stop it again and raise: one that failed half-way may hold connections."""
    try:
        await start()
    except BaseException:
        await stop()
        raise


def _catalogue_order(prefix: str):
    return lambda name: (CATALOGUE.index(catalogue_topic_of(name, prefix)), name)


async def catalogue_topics(kafka: KafkaAccess, prefix: str = "") -> list[str]:
    async with KafkaViews(kafka, prefix) as views:
        return await views.catalogue_topics()


async def topic_counts(kafka: KafkaAccess, prefix: str = "") -> list[TopicCount]:
    async with KafkaViews(kafka, prefix) as views:
        return await views.topic_counts()


async def partitions_of(kafka: KafkaAccess, names: list[str]) -> dict[str, list[TopicPartition]]:
    async with KafkaViews(kafka) as views:
        return await views.partitions_of(names)


async def consumer_lag(kafka: KafkaAccess, prefix: str = "") -> list[PartitionLag]:
    async with KafkaViews(kafka, prefix) as views:
        return await views.consumer_lag()


class GroupWatch:
    """Consumer groups' committed offsets against their topics' end offsets, on `KafkaViews`' open connections
    so it can be asked many times a second."""

    def __init__(self, kafka: KafkaAccess, groups: dict[str, list[str]]) -> None:
        self._groups = groups
        self._views = KafkaViews(kafka)

    async def __aenter__(self) -> GroupWatch:
        topics = sorted({topic for topics in self._groups.values() for topic in topics})
        try:
            self._partitions = await self._views.partitions_of(topics)
        except BaseException:
            await self._views.close()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        await self._views.close()

    async def positions(self) -> dict[tuple[str, TopicPartition], tuple[int, int]]:
        """(group, partition) -> (committed offset, end offset) for every partition of each group's topics.

        A partition the group never committed counts as committed at 0, so it cannot hide its lag.
        """
        ends = await self._views.end_offsets([tp for tps in self._partitions.values() for tp in tps])
        positions = {}
        for group, topics in self._groups.items():
            committed = await self._views.committed(group)
            for topic in topics:
                for tp in self._partitions[topic]:
                    positions[(group, tp)] = (max(committed.get(tp, 0), 0), ends[tp])
        return positions


async def group_positions(kafka: KafkaAccess, groups: dict[str, list[str]]) -> dict[tuple[str, TopicPartition], tuple]:
    async with GroupWatch(kafka, groups) as watch:
        return await watch.positions()


async def read_records(
    kafka: KafkaAccess, *topics: str, follow: bool, from_beginning: bool = True, idle_ms: int = 1500
) -> AsyncIterator[ConsumerRecord]:
    """The topics' records in offset order per partition; with `follow`, keep waiting for new ones."""
    async with KafkaViews(kafka) as views:
        found = await views.partitions_of(list(topics))
        if missing := [topic for topic in topics if not found.get(topic)]:
            raise LookupError(f"no topic {missing[0]!r} on the broker")
        partitions = [tp for topic in topics for tp in found[topic]]
        consumer = await views._consumer("reader")  # these views are this call's alone: no one else seeks it
        consumer.assign(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        while True:
            batch = await consumer.getmany(timeout_ms=idle_ms)
            for records in batch.values():
                for record in records:
                    yield record
            if not batch and not follow:
                return


def describe(record: ConsumerRecord) -> dict:
    """A record as the operations team sees it: CloudEvents attributes, key, position, redacted payload."""
    headers = {name: (value or b"").decode(errors="replace") for name, value in record.headers}
    try:
        attributes = read_attributes(record.headers)
        kind, event_id, time = attributes.type, attributes.id, attributes.time.isoformat() if attributes.time else None
    except InvalidEnvelope:
        kind, event_id, time = "(not a CloudEvent)", None, None
    try:
        payload = redact(bounded_json.loads(record.value)) if record.value else None
    except ValueError:  # not JSON, or too large or deep to show (a hostile record's dead letter)
        payload = SEALED if SEALED_BODY in headers else "(not JSON)"
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "key": (record.key or b"").decode(errors="replace"),
        "type": kind,
        "id": event_id,
        "time": time,
        "dead_letter": {k.removeprefix("dlq_"): v for k, v in headers.items() if k.startswith("dlq_")} or None,
        "data": payload,
    }


def redact(value):
    if isinstance(value, dict):
        return {k: (REDACTED if k == "personal" and v is not None else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def dead_letter_topic(prefix: str = "") -> str:
    return prefix + DEAD_LETTERS.name
