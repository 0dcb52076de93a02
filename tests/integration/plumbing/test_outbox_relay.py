"""The publishing side on the real broker and database: order, NOTIFY wake-up, crash safety."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from platform_plumbing.outbox import OutgoingRecord, add_to_outbox
from platform_plumbing.outbox_relay import OutboxRelay
from schemas.envelope import read_attributes
from schemas.topics import CASES
from tests.integration.plumbing.sample_service import SampleHappened
from tests.integration.plumbing.test_transactional_consumer import run_until_committed
from tests.kafka_tools import cloud_event, eventually, outbox_drained, read_topic


async def queue(pool, settings, events: list[SampleHappened]) -> list[str]:
    """Write `events` to the outbox in one transaction; return their ids in order."""
    ids, records = [], []
    for event in events:
        key, headers, value = cloud_event(event)
        ids.append(read_attributes(headers).id)
        records.append(OutgoingRecord(topic=settings.topic(CASES.name), key=key, headers=headers, value=value))
    async with pool.acquire() as connection, connection.transaction():
        await add_to_outbox(connection, records)
    return ids


def events_for(cases: list[uuid.UUID], per_case: int) -> list[SampleHappened]:
    return [SampleHappened(case_id=case, label=f"{n}") for n in range(per_case) for case in cases]


async def test_relay_publishes_in_order_per_key_and_marks_rows_sent(settings, topics, pool, producer):
    cases = [uuid.uuid4() for _ in range(4)]
    await queue(pool, settings, events_for(cases, per_case=30))
    relay = OutboxRelay(pool, producer, batch_size=50)

    sent = [await relay.relay_batch() for _ in range(4)]

    assert sent == [50, 50, 20, 0]
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0
    records = await read_topic(settings.kafka, settings.topic(CASES.name), at_least=120)
    assert len(records) == 120
    for case in cases:
        labels = [SampleHappened.model_validate_json(r.value).label for r in records if r.key == str(case).encode()]
        assert labels == [str(n) for n in range(30)]


async def test_relay_crash_between_send_and_mark_loses_nothing_and_doubles_no_effect(
    settings,
    topics,
    pool,
    producer,
    effects_pool,
    monkeypatch,
):
    ids = await queue(pool, settings, events_for([uuid.uuid4(), uuid.uuid4()], per_case=10))
    crashing = OutboxRelay(pool, producer)

    async def crash(*_):
        raise ConnectionResetError("relay died after sending, before marking")

    monkeypatch.setattr(crashing, "_mark_sent", crash)
    with pytest.raises(ConnectionResetError):
        await crashing.relay_batch()
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 20, "nothing marked"

    assert await OutboxRelay(pool, producer).relay_batch() == 20
    on_topic = await read_topic(settings.kafka, settings.topic(CASES.name), at_least=40)
    assert len(on_topic) == 40, "every record was sent twice"

    consumer = await run_until_committed(settings, effects_pool, expected_offsets=40)

    effects = [r["event_id"] for r in await effects_pool.fetch("SELECT event_id FROM effects")]
    assert sorted(effects) == sorted(ids), "each event took effect exactly once"
    assert consumer is not None


async def test_notify_wakes_the_relay_without_waiting_for_the_poll(settings, topics, pool, producer):
    relay = OutboxRelay(pool, producer, poll_seconds=3600)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.5)  # let it reach its wait, with an hour before its next poll
        await queue(pool, settings, events_for([uuid.uuid4()], per_case=3))
        await eventually(lambda: outbox_drained(pool), timeout=20)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    records = await read_topic(settings.kafka, settings.topic(CASES.name), at_least=3)
    assert len(records) == 3


async def test_two_relays_on_one_schema_keep_per_key_order_and_send_once(settings, topics, pool, producer):
    cases = [uuid.uuid4() for _ in range(3)]
    await queue(pool, settings, events_for(cases, per_case=200))
    relays = [OutboxRelay(pool, producer, batch_size=25, poll_seconds=0.1) for _ in range(2)]
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        await eventually(lambda: outbox_drained(pool), timeout=60)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    records = await read_topic(settings.kafka, settings.topic(CASES.name), at_least=600)
    assert len(records) == 600
    for case in cases:
        labels = [SampleHappened.model_validate_json(r.value).label for r in records if r.key == str(case).encode()]
        assert labels == [str(n) for n in range(200)]


async def test_a_record_with_a_type_that_is_not_utf8_or_unknown_is_sent_once_and_counted_as_other(
    settings, topics, pool, producer
):
    """A dead letter keeps the original's headers; counting it must not fail the batch after it was sent
    (it once rolled the batch back and re-sent it every second, forever)."""
    from platform_plumbing.metrics import ServiceMetrics
    from schemas.events import CaseOpened
    from tests.factories import example

    key, headers, value = cloud_event(example(CaseOpened))
    weird = [
        [(n, b"\xff\xfe" if n == "ce_type" else v) for n, v in headers],
        [(n, b"made.up.type" if n == "ce_type" else v) for n, v in headers],
        headers,
    ]
    async with pool.acquire() as connection, connection.transaction():
        await add_to_outbox(
            connection,
            [OutgoingRecord(topic=settings.topic(CASES.name), key=key, headers=h, value=value) for h in weird],
        )
    metrics = ServiceMetrics("test")
    relay = OutboxRelay(pool, producer, metrics=metrics)

    assert await relay.relay_batch() == 3
    assert await relay.relay_batch() == 0

    counted = {
        sample.labels["type"]: sample.value
        for metric in metrics.registry.collect()
        for sample in metric.samples
        if sample.name == "diversion_events_published_total"
    }
    assert counted == {"other": 2.0, CaseOpened.event_type: 1.0}
