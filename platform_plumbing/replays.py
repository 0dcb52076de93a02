"""Dead letters read again at the operations team's request, as the party that sent them.

The operations team may write no force's, agency's or service's topic (issue 22: its login once wrote a
forged decline on an agency's topic, which was applied as the agency's). To replay a dead letter it writes a
`ReplayDeadLetter` request on `diversion.replays.v1`, naming the letter's coordinates on the dead-letter topic
and the service that wrote it. That service — and only it — reads the letter there, rebuilds the record its
sender wrote (origin topic, partition and offset, key, headers without the `dlq_*` ones, body) and puts it
through its consumer like any record of that topic: identity still comes from the topic the party was let
write, so a replay can re-send only what the party really sent. The audit rows it leads to name the operator
beside the original sender (`audit_trail.replaying`).

What the replay comes to is claimed under the request's own position, so a request delivered twice is applied
once, and a replayed record that fails again is dead-lettered again, once.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from platform_plumbing.dead_letters import ORIGIN_OFFSET, ORIGIN_PARTITION, ORIGIN_TOPIC, SERVICE, Rejection
from platform_plumbing.incoming import Replay, read_event
from platform_plumbing.kafka_clients import KafkaAccess, consumer_for
from schemas.commands.operations import ReplayDeadLetter
from schemas.envelope import type_of

REQUESTS = {type_of(ReplayDeadLetter): ReplayDeadLetter}


class DeadLetterReader:
    """Reads single records of the dead-letter topic by their coordinates, with a consumer of no group."""

    def __init__(self, kafka: KafkaAccess, topic: str, *, client_id: str, wait_ms: int = 5_000) -> None:
        self._kafka = kafka
        self._topic = topic
        self._client_id = client_id
        self._wait_ms = wait_ms
        self._consumer: AIOKafkaConsumer | None = None
        self._one_at_a_time = asyncio.Lock()

    async def read(self, partition: int, offset: int) -> ConsumerRecord | None:
        """The dead letter at `partition`/`offset`; None if there is none (never written, or expired)."""
        async with self._one_at_a_time:
            consumer = await self._started()
            where = TopicPartition(self._topic, partition)
            if partition not in self._partitions(consumer) or not await _holds(consumer, where, offset):
                return None  # at once: a request for nothing must not hold up the records behind it
            consumer.assign([where])
            consumer.seek(where, offset)
            fetched = (await consumer.getmany(where, timeout_ms=self._wait_ms, max_records=1)).get(where, [])
            return fetched[0] if fetched and fetched[0].offset == offset else None

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()

    async def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = consumer_for(self._kafka, self._topic, client_id=self._client_id, auto_offset_reset="latest")
            await consumer.start()  # subscribed, without a group, only so that it knows the topic's partitions
            consumer.unsubscribe()
            self._consumer = consumer
        return self._consumer

    def _partitions(self, consumer: AIOKafkaConsumer) -> set[int]:
        return consumer.partitions_for_topic(self._topic) or set()


async def _holds(consumer: AIOKafkaConsumer, where: TopicPartition, offset: int) -> bool:
    """Whether the partition still holds `offset`: written already, and not yet deleted by retention."""
    first = (await consumer.beginning_offsets([where]))[where]
    end = (await consumer.end_offsets([where]))[where]
    return first <= offset < end


class Replays:
    """A service's side of replays: which records are requests, and what a request of its own asks it to read."""

    def __init__(self, reader: DeadLetterReader, *, requests_topic: str, service: str) -> None:
        self._reader = reader
        self._requests_topic = requests_topic
        self._service = service

    def requested_on(self, topic: str) -> bool:
        return topic == self._requests_topic

    async def resolve(self, request: ConsumerRecord) -> tuple[ConsumerRecord, Replay] | Rejection | None:
        """The record the request's dead letter holds, rebuilt as its sender wrote it, and who asked; None when
        the request is another service's; why not, when it cannot be honoured."""
        read = read_event(request, REQUESTS)
        if isinstance(read, Rejection):
            return read
        command = read.payload
        if command.service != self._service:
            return None
        where = f"{command.partition}/{command.offset}"
        letter = await self._reader.read(command.partition, command.offset)
        if letter is None:
            return Rejection("NoSuchDeadLetter", f"no dead letter at {where} of the dead-letter topic")
        written = {name: value for name, value in letter.headers if name.startswith("dlq_")}
        if written.get(SERVICE) != self._service.encode():
            return Rejection("NotItsDeadLetter", f"the dead letter at {where} was not written by {self._service}")
        try:
            topic = written[ORIGIN_TOPIC].decode()
            partition, offset = int(written[ORIGIN_PARTITION]), int(written[ORIGIN_OFFSET])
        except (KeyError, ValueError):
            return Rejection("UnreadableDeadLetter", f"the dead letter at {where} does not say where it came from")
        original = ConsumerRecord(
            topic=topic,
            partition=partition,
            offset=offset,
            timestamp=letter.timestamp,
            timestamp_type=letter.timestamp_type,
            key=letter.key,
            value=letter.value,
            checksum=None,
            serialized_key_size=len(letter.key or b""),
            serialized_value_size=len(letter.value or b""),
            headers=[(name, value) for name, value in letter.headers if not name.startswith("dlq_")],
        )
        return original, Replay(command.operator, command.requested_at, request)
