"""Test-side Kafka access that shares no code with the services: plain aiokafka, no consumer group (only
the connection settings, `KafkaAccess`, which every client must use to get in at all)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord, TopicPartition

from benchmarks.outside import send_raw
from deploy.local_stack.processes import provide_topics
from deploy.local_stack.processes import remove_topics as remove_prefixed
from platform_plumbing.kafka_clients import KafkaAccess
from schemas.base import Event
from schemas.envelope import encode
from schemas.topics import Directory

PARTIES = Directory(forces=("cambridgeshire",), agencies=("brighter-tomorrows", "substance-misuse-treatment"))
"""The force and agencies the tests act for: each test gets their topics and ACLs under its prefix."""


@contextlib.asynccontextmanager
async def _from_beginning(kafka: KafkaAccess, topic: str) -> AsyncIterator[tuple[AIOKafkaConsumer, list]]:
    """A group-less consumer assigned to every partition of `topic`, at its beginning; no partitions while the
    topic does not exist (a service makes it at its first record)."""
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if not partitions:
            await consumer._client.force_metadata_update()  # noqa: SLF001 - fresh topic
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if partitions:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
        yield consumer, partitions
    finally:
        await consumer.stop()


async def read_topic(kafka: KafkaAccess, topic: str, *, at_least: int, timeout: float = 30.0) -> list[ConsumerRecord]:
    """Every record on `topic` from the beginning, once at least `at_least` have arrived (or timeout),
    plus whatever else is already there; none while the topic does not exist."""
    records: list[ConsumerRecord] = []
    async with _from_beginning(kafka, topic) as (consumer, partitions):
        deadline = time.monotonic() + timeout
        while partitions and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for part in batch.values():
                records.extend(part)
            if len(records) >= at_least and not batch:
                break
    return records


async def read_to_end(kafka: KafkaAccess, topic: str, *, timeout: float = 30.0) -> list[ConsumerRecord]:
    """Every record on `topic` up to its end as it is now: unlike `read_topic`, a slow first fetch cannot make it
    return early with nothing."""
    records: list[ConsumerRecord] = []
    async with _from_beginning(kafka, topic) as (consumer, partitions):
        ends = await consumer.end_offsets(partitions) if partitions else {}
        deadline = time.monotonic() + timeout
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            assert time.monotonic() < deadline, f"{topic} not read to its end in {timeout} s"
            for part in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(part)
    return records


async def outbox_drained(pool: asyncpg.Pool) -> bool:
    """Whether a service's outbox (in `pool`'s schema) has sent everything it holds to Kafka."""
    return await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def produce(
    kafka: KafkaAccess, topic: str, records: list[tuple[bytes, list[tuple[str, bytes]], bytes | None]]
) -> None:
    """Send raw (key, headers, value) records in order, acks=all."""
    producer = AIOKafkaProducer(**kafka.client_options(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, headers, value in records:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


def cloud_event(event: Event, *, event_id: str | None = None, source: str = "/tests") -> tuple[bytes, list, bytes]:
    encoded = encode(
        event,
        event_id=event_id or str(uuid.uuid4()),
        source=source,
        time=datetime(2026, 1, 1, tzinfo=UTC),
        key=str(event.case_id),
    )
    return encoded.key, encoded.headers, encoded.value


async def eventually(check, *, timeout: float = 30.0, interval: float = 0.2):
    """Await `check()` until it returns a truthy value; return it, or fail with the last value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")


async def committed_offsets(kafka: KafkaAccess, group: str) -> int:
    """Sum of the offsets `group` has committed, over all its partitions."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return sum(meta.offset for meta in offsets.values() if meta.offset > 0)
    finally:
        await admin.close()


async def make_topics(admin: KafkaAccess, prefix: str) -> None:
    """The catalogue for the tests' force and agencies under `prefix`, with production's ACLs on it."""
    await provide_topics(admin, PARTIES, prefix)


async def remove_topics(admin: KafkaAccess, prefix: str) -> None:
    await remove_prefixed(admin, PARTIES, prefix)


def consumer_record(
    value: bytes,
    *,
    topic: str,
    headers: list[tuple[str, bytes]],
    key: bytes = b"k",
    partition: int = 0,
    offset: int = 0,
) -> ConsumerRecord:
    """A record as a consumer hands it over, for unit tests of what is done with one."""
    return ConsumerRecord(
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key),
        serialized_value_size=len(value),
        headers=headers,
    )


async def produce_raw(
    kafka: KafkaAccess,
    topic: str,
    records: list[tuple[bytes | None, list[tuple[str, bytes | None]], bytes | None]],
    *,
    partition: int = 0,
) -> list[int]:
    """Send records whose header names may be `RawHeaderName`s, one batch each, in order, to one partition;
    returns their offsets (see `benchmarks.outside.send_raw`)."""
    producer = AIOKafkaProducer(**kafka.client_options(), acks="all")
    await producer.start()
    try:
        offsets = []
        for key, headers, value in records:
            sent = await send_raw(producer, topic, partition, key=key, value=value, headers=headers)
            offsets.append((await sent).offset)
        return offsets
    finally:
        await producer.stop()
