"""The outside world on Kafka for a load or chaos run: each police force and each partner agency as its own
principal, writing only its own topics — what the broker lets it, as in production."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.record.default_records import _DefaultRecordBatchBuilderPy

from platform_plumbing.kafka_acls import agency_principal, police_principal
from platform_plumbing.kafka_clients import KafkaLogins, producer_for
from schemas.topics import AGENCY_UPDATES, DECISIONS, Topic


class Outside:
    def __init__(self, logins: KafkaLogins, prefix: str, **producer_options: Any) -> None:
        self._logins = logins
        self._prefix = prefix
        self._options = producer_options
        self._producers: dict[tuple[str, bool], AIOKafkaProducer] = {}
        self._starting = asyncio.Lock()

    async def as_police(self, force: str, value: bytes, *, key: bytes, headers: list) -> asyncio.Future:
        """Send a police command on the force's own decisions topic, as the force."""
        return await self.send(police_principal(force), DECISIONS, force, value, key=key, headers=headers)

    async def as_agency(self, agency: str, value: bytes, *, key: bytes, headers: list) -> asyncio.Future:
        """Send an agency's update on its own updates topic, as the agency."""
        return await self.send(agency_principal(agency), AGENCY_UPDATES, agency, value, key=key, headers=headers)

    async def send(
        self, principal: str, topic: Topic, party: str, value: bytes, *, key: bytes, headers: list
    ) -> asyncio.Future:
        name = self._prefix + topic.named(party)
        if any(isinstance(header, RawHeaderName) for header, _ in headers):
            producer = await self._producer(principal, raw=True)
            partition = _partition_of(key, await producer.partitions_for(name))
            return await send_raw(producer, name, partition, key=key, value=value, headers=headers)
        return await (await self._producer(principal)).send(name, value, key=key, headers=headers)

    async def flush(self) -> None:
        await asyncio.gather(*(producer.flush() for producer in self._producers.values()))

    async def stop(self) -> None:
        await asyncio.gather(*(producer.stop() for producer in self._producers.values()))
        self._producers.clear()

    async def _producer(self, principal: str, *, raw: bool = False) -> AIOKafkaProducer:
        """The principal's producer; `raw`: one without idempotence, which hand-built batches need (`send_raw`)."""
        async with self._starting:
            if (principal, raw) not in self._producers:
                options = {**self._options, **({"enable_idempotence": False} if raw else {})}
                producer = producer_for(self._logins.of(principal), **options)
                await producer.start()
                self._producers[principal, raw] = producer
            return self._producers[principal, raw]


class RawHeaderName(str):
    """A header name given as the bytes to send, UTF-8 or not: no well-behaved client can send one that is not,
    but the broker takes it from anyone (issue 22), so a hostile sender is played with one of these."""

    raw: bytes

    def __new__(cls, raw: bytes) -> RawHeaderName:
        name = super().__new__(cls, raw.decode(errors="replace"))
        name.raw = raw
        return name

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return self.raw


async def send_raw(
    producer: AIOKafkaProducer, topic: str, partition: int, *, key: bytes | None, value: bytes | None, headers: list
) -> asyncio.Future:
    """Send one record whose header names may be `RawHeaderName`s, as a batch of its own: aiokafka's compiled
    batch builder refuses such names, so the batch is built by its pure-Python one, which writes whatever bytes
    a name encodes to. The producer must not be idempotent (aiokafka never sends a hand-built batch of an
    idempotent producer)."""
    batch = producer.create_batch()
    batch._builder = _DefaultRecordBatchBuilderPy(  # noqa: SLF001 - see the docstring
        2, 0, is_transactional=0, producer_id=-1, producer_epoch=-1, base_sequence=0, batch_size=2**21
    )
    batch.append(timestamp=None, key=key, value=value, headers=headers)
    return await producer.send_batch(batch, topic, partition=partition)


def _partition_of(key: bytes | None, partitions: set[int]) -> int:
    """The partition Kafka's default partitioner gives `key`, as every producer of ours would."""
    ordered = sorted(partitions)
    return DefaultPartitioner()(key, ordered, ordered)
