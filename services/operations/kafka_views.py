"""Read-only views of the topics for the operations team: counts, lag, dead letters, a live tail.

They use a plain consumer with no group (nothing is committed, no service's position moves),
and show personal data never: the `personal` sub-object of any payload is replaced by a marker.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
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


async def catalogue_topics(kafka: KafkaAccess, prefix: str = "") -> list[str]:
    """Every topic on the broker that belongs to the catalogue under `prefix` — each force's and each
    agency's included — in the catalogue's order."""
    admin = admin_for(kafka, request_timeout_ms=10_000)
    await admin.start()
    try:
        names = await admin.list_topics()
    finally:
        await admin.close()
    return sorted((name for name in names if catalogue_topic_of(name, prefix)), key=_catalogue_order(prefix))


def _catalogue_order(prefix: str):
    return lambda name: (CATALOGUE.index(catalogue_topic_of(name, prefix)), name)


async def topic_counts(kafka: KafkaAccess, prefix: str = "") -> list[TopicCount]:
    names = await catalogue_topics(kafka, prefix)
    partitions = await partitions_of(kafka, names)
    every = [tp for tps in partitions.values() for tp in tps]
    async with _consumer(kafka) as consumer:
        consumer.assign(every)
        start, end = await consumer.beginning_offsets(every), await consumer.end_offsets(every)
    return [
        TopicCount(
            name,
            len(partitions.get(name, [])),
            sum(end[tp] - start[tp] for tp in partitions.get(name, [])),
            catalogue_topic_of(name, prefix).description,
        )
        for name in names
    ]


async def partitions_of(kafka: KafkaAccess, names: list[str]) -> dict[str, list[TopicPartition]]:
    """The partitions of each named topic that exists."""
    admin = admin_for(kafka, request_timeout_ms=10_000)
    await admin.start()
    try:
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return {
        topic["topic"]: [
            TopicPartition(topic["topic"], p["partition"])
            for p in sorted(topic["partitions"], key=lambda p: p["partition"])
        ]
        for topic in described
        if topic["error_code"] == 0
    }


async def consumer_lag(kafka: KafkaAccess, prefix: str = "") -> list[PartitionLag]:
    """Lag of every consumer group on the catalogue's topics, per partition."""
    admin = admin_for(kafka, request_timeout_ms=10_000)
    consumer = consumer_for(kafka)
    await admin.start()
    await consumer.start()
    try:
        lags = []
        for group, *_ in sorted(await admin.list_consumer_groups()):
            committed = {
                tp: meta.offset
                for tp, meta in (await admin.list_consumer_group_offsets(group)).items()
                if catalogue_topic_of(tp.topic, prefix)
            }
            if not committed:
                continue
            ends = await consumer.end_offsets(list(committed))
            lags.extend(
                PartitionLag(group, tp.topic, tp.partition, max(offset, 0), ends[tp])
                for tp, offset in sorted(committed.items())
            )
        return lags
    finally:
        await consumer.stop()
        await admin.close()


class GroupWatch:
    """Consumer groups' committed offsets against their topics' end offsets, on open connections
    so it can be asked many times a second."""

    def __init__(self, kafka: KafkaAccess, groups: dict[str, list[str]]) -> None:
        self._kafka = kafka
        self._groups = groups
        self._admin = admin_for(kafka, request_timeout_ms=10_000)
        self._consumer = consumer_for(kafka)

    async def __aenter__(self) -> GroupWatch:
        topics = sorted({topic for topics in self._groups.values() for topic in topics})
        self._partitions = await partitions_of(self._kafka, topics)
        await self._admin.start()
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def positions(self) -> dict[tuple[str, TopicPartition], tuple[int, int]]:
        """(group, partition) -> (committed offset, end offset) for every partition of each group's topics.

        A partition the group never committed counts as committed at 0, so it cannot hide its lag.
        """
        ends = await self._consumer.end_offsets([tp for tps in self._partitions.values() for tp in tps])
        positions = {}
        for group, topics in self._groups.items():
            committed = await self._admin.list_consumer_group_offsets(group)
            for topic in topics:
                for tp in self._partitions[topic]:
                    meta = committed.get(tp)
                    positions[(group, tp)] = (max(meta.offset, 0) if meta else 0, ends[tp])
        return positions


async def group_positions(kafka: KafkaAccess, groups: dict[str, list[str]]) -> dict[tuple[str, TopicPartition], tuple]:
    async with GroupWatch(kafka, groups) as watch:
        return await watch.positions()


async def read_records(
    kafka: KafkaAccess, *topics: str, follow: bool, from_beginning: bool = True, idle_ms: int = 1500
) -> AsyncIterator[ConsumerRecord]:
    """The topics' records in offset order per partition; with `follow`, keep waiting for new ones."""
    found = await partitions_of(kafka, list(topics))
    if missing := [topic for topic in topics if not found.get(topic)]:
        raise LookupError(f"no topic {missing[0]!r} on the broker")
    partitions = [tp for topic in topics for tp in found[topic]]
    async with _consumer(kafka) as consumer:
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


@contextlib.asynccontextmanager
async def _consumer(kafka: KafkaAccess) -> AsyncIterator[AIOKafkaConsumer]:
    """A group-less consumer that commits nothing; closed even when starting it failed."""
    consumer = consumer_for(kafka, request_timeout_ms=10_000)
    try:
        await consumer.start()
        yield consumer
    finally:
        await consumer.stop()


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
