"""A consumer batch sends its events itself straight after its commit, on the real broker and database; the
outbox stays the guarantee (what is not confirmed, the relay sends) and per key nothing overtakes."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import ConsumerRecord

from platform_plumbing.outbox import OutgoingRecord, add_to_outbox, claim_straight, queue_in_outbox
from platform_plumbing.outbox_relay import OutboxRelay, _lock_key
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.transactional_consumer import Batch, IncomingEvent
from schemas.topics import CASES
from tests.integration.plumbing.sample_service import SampleHappened, build_consumer, record_effect
from tests.kafka_tools import cloud_event, eventually, outbox_drained, read_topic


class Unreachable:
    """A producer whose broker cannot be reached."""

    async def send(self, *_, **__):
        raise KafkaConnectionError("no broker")


def announcing(topic: str):
    """The sample handler, which also publishes `announced <label>` about the event's case."""

    async def handle(batch: Batch, event: IncomingEvent) -> None:
        await record_effect(batch, event)
        queue_in_outbox(batch.writes, [_outgoing(topic, event.payload.case_id, f"announced {event.payload.label}")])

    return handle


def _outgoing(topic: str, case: uuid.UUID, label: str) -> OutgoingRecord:
    key, headers, value = cloud_event(SampleHappened(case_id=case, label=label))
    return OutgoingRecord(topic=topic, key=key, headers=headers, value=value)


def _incoming(case: uuid.UUID, label: str, offset: int) -> ConsumerRecord:
    key, headers, value = cloud_event(SampleHappened(case_id=case, label=label))
    return ConsumerRecord("cases", 0, offset, 0, 0, key, value, None, len(key), len(value), headers)


async def _labels(settings, at_least: int) -> dict[bytes, list[str]]:
    """The labels on the test's cases topic, per key, in the order Kafka holds them."""
    records = await read_topic(settings.kafka, settings.topic(CASES.name), at_least=at_least, timeout=15)
    per_key: dict[bytes, list[str]] = {}
    for record in records:
        per_key.setdefault(record.key, []).append(SampleHappened.model_validate_json(record.value).label)
    return per_key


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay):
    task = asyncio.create_task(relay.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_batch_sends_its_events_itself_after_its_commit_and_the_relay_marks_them_sent(
    settings, topics, effects_pool, producer
):
    """The relay cannot sweep (another replica's relay holds the schema's lock), yet the batch's events reach
    Kafka, in order, and their rows end up marked sent once Kafka acknowledged them."""
    topic = settings.topic(CASES.name)
    first, second = uuid.uuid4(), uuid.uuid4()
    relay = OutboxRelay(effects_pool, producer, poll_seconds=0.2)
    consumer = build_consumer(effects_pool, settings, handler=announcing(topic))
    consumer.bind(effects_pool, relay)
    schema = await effects_pool.fetchval("SELECT current_schema()")
    async with effects_pool.acquire() as other_relay, running(relay):
        await other_relay.execute("SELECT pg_advisory_lock($1)", _lock_key(schema))
        try:
            await consumer.process([_incoming(first, "a", 0), _incoming(second, "b", 1), _incoming(first, "c", 2)])
            labels = await _labels(settings, at_least=3)
            await eventually(lambda: outbox_drained(effects_pool), timeout=10)
        finally:
            await consumer.close()
            await other_relay.execute("SELECT pg_advisory_unlock_all()")

    assert labels == {str(first).encode(): ["announced a", "announced c"], str(second).encode(): ["announced b"]}
    assert await effects_pool.fetchval("SELECT bool_and(straight) FROM outbox"), "all three were the batch's"


async def test_events_kafka_never_acknowledged_are_sent_by_the_relay_after_the_grace_period(
    settings, topics, effects_pool, producer
):
    """The outbox is the guarantee: a batch whose straight send failed (here Kafka cannot be reached) has its
    events sent by the relay once the grace period is over, and not before (while they may still be sent)."""
    topic = settings.topic(CASES.name)
    consumer = build_consumer(effects_pool, settings, handler=announcing(topic))
    consumer.bind(effects_pool, OutboxRelay(effects_pool, Unreachable()))
    try:
        await consumer.process([_incoming(uuid.uuid4(), "lost in transit", 0)])
    finally:
        await consumer.close()
    assert await effects_pool.fetchval("SELECT count(*) FROM effects") == 1, "the batch itself committed"

    # a grace period long enough that closing the consumer on a busy machine cannot outlast it
    sweeper = OutboxRelay(effects_pool, producer, straight_grace_seconds=5)
    assert await sweeper.relay_batch() == 0, "within the grace period the row is the batch's to send"
    await asyncio.sleep(5.1)
    assert await sweeper.relay_batch() == 1
    assert list((await _labels(settings, at_least=1)).values()) == [["announced lost in transit"]]


async def test_an_event_whose_key_has_an_earlier_one_unsent_is_left_to_the_relay_which_sends_that_one_first(
    settings, topics, effects_pool, producer
):
    """Per key, Kafka must see events in the order they were committed. An earlier event of the case is still
    unsent (another replica is sending it straight, or died doing so): the batch's event about that case is
    not sent straight but by the relay, right after the earlier one; an event about another case is sent
    straight as usual."""
    topic = settings.topic(CASES.name)
    waiting, other = uuid.uuid4(), uuid.uuid4()
    async with effects_pool.acquire() as connection, connection.transaction():
        await add_to_outbox(connection, [_outgoing(topic, waiting, "earlier")])
        await connection.execute("UPDATE outbox SET straight = true")  # as a batch of another replica wrote it
    relay = OutboxRelay(effects_pool, producer, poll_seconds=3600, straight_grace_seconds=3600)
    consumer = build_consumer(effects_pool, settings, handler=announcing(topic))
    consumer.bind(effects_pool, relay)
    async with running(relay):
        await asyncio.sleep(0.3)  # the relay's first sweep is over: what follows is sent straight or on NOTIFY
        try:
            await consumer.process([_incoming(waiting, "later", 0), _incoming(other, "elsewhere", 1)])
        finally:
            await consumer.close()
        labels = await _labels(settings, at_least=3)
        await eventually(lambda: outbox_drained(effects_pool), timeout=10)

    assert labels == {
        str(waiting).encode(): ["earlier", "announced later"],
        str(other).encode(): ["announced elsewhere"],
    }
    rows = await effects_pool.fetch("SELECT key, straight FROM outbox ORDER BY id")
    assert [row["straight"] for row in rows] == [True, False, True]


async def test_only_rows_that_are_the_relays_wake_it(settings, effects_pool, topics):
    """A row the batch sends itself must not wake every relay to find nothing to do."""
    topic = settings.topic(CASES.name)
    schema = await effects_pool.fetchval("SELECT current_schema()")
    heard: list[str] = []
    async with effects_pool.acquire() as listener:
        channel, hear = f"outbox_{schema}", lambda *args: heard.append(args[2])
        await listener.add_listener(channel, hear)
        async with effects_pool.acquire() as connection, connection.transaction():
            writes = PendingWrites()
            queue_in_outbox(writes, [_outgoing(topic, uuid.uuid4(), "straight")])
            assert len(await claim_straight(connection, writes)) == 1
            await writes.flush(connection)
        await asyncio.sleep(0.5)
        assert heard == []
        async with effects_pool.acquire() as connection, connection.transaction():
            await add_to_outbox(connection, [_outgoing(topic, uuid.uuid4(), "the relay's")])
        await eventually(lambda: _true(bool(heard)), timeout=5)
        await listener.remove_listener(channel, hear)


async def _true(value: bool) -> bool:
    return value


async def test_a_later_event_of_a_case_whose_earlier_one_kafka_acknowledged_is_sent_straight_too(
    settings, topics, effects_pool, producer
):
    """Working through a backlog, the next batch about a case commits before the relay has marked the last
    one's events sent. What Kafka has acknowledged to this replica is in Kafka before anything it sends next,
    so it does not hold the next event back (which would send it the relay's way, the earlier one twice)."""
    topic = settings.topic(CASES.name)
    case = uuid.uuid4()
    relay = OutboxRelay(effects_pool, producer, poll_seconds=3600)  # not running: it marks nothing sent
    consumer = build_consumer(effects_pool, settings, handler=announcing(topic))
    consumer.bind(effects_pool, relay)
    try:
        await consumer.process([_incoming(case, "first", 0)])
        await consumer.process([_incoming(case, "second", 1)])
    finally:
        await consumer.close()

    rows = await effects_pool.fetch("SELECT straight, sent_at FROM outbox ORDER BY id")
    assert [(row["straight"], row["sent_at"]) for row in rows] == [(True, None), (True, None)]
    assert await _labels(settings, at_least=2) == {str(case).encode(): ["announced first", "announced second"]}
