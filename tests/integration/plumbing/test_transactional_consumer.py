"""The consuming side on the real broker and database: inbox, dead letters, commit after the DB."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
from aiokafka.structs import ConsumerRecord

from platform_plumbing.kafka_clients import create_producer
from platform_plumbing.outbox_relay import OutboxRelay
from platform_plumbing.transactional_consumer import ChangedMeanwhile
from schemas.topics import CASES, DEAD_LETTERS
from tests.integration.plumbing.sample_service import (
    GROUP,
    SampleHappened,
    build_broker,
    build_consumer,
    record_effect,
)
from tests.kafka_tools import cloud_event, committed_offsets, eventually, produce, read_topic

CASE = uuid.uuid4()


def sample(label: str, **extra) -> SampleHappened:
    return SampleHappened(case_id=CASE, label=label, **extra)


async def run_until_committed(settings, pool, expected_offsets: int, consumer=None):
    """Run the sample service until its group has committed `expected_offsets` in all."""
    consumer = consumer or build_consumer(pool, settings)
    try:
        async with build_broker(consumer, settings) as broker:
            await broker.start()
            await eventually(lambda: _reached(settings, expected_offsets), timeout=60)
    finally:
        await consumer.close()
    return consumer


async def _reached(settings, expected: int) -> bool:
    return await committed_offsets(settings.kafka, settings.topic(GROUP)) >= expected


async def test_duplicate_delivery_changes_nothing(settings, effects_pool):
    first = cloud_event(sample("one"), event_id="evt-1")
    await produce(
        settings.kafka,
        settings.topic(CASES.name),
        [first, cloud_event(sample("two"), event_id="evt-2"), first, first],
    )

    await run_until_committed(settings, effects_pool, expected_offsets=4)

    rows = await effects_pool.fetch("SELECT event_id FROM effects ORDER BY event_id")
    assert [r["event_id"] for r in rows] == ["evt-1", "evt-2"]
    assert await effects_pool.fetchval("SELECT count(*) FROM inbox") == 2


async def test_poison_messages_are_dead_lettered_and_the_partition_keeps_flowing(settings, effects_pool):
    key, headers, _ = cloud_event(sample("template"))
    bad_json = (key, [(n, v) for n, v in headers if n != "ce_id"] + [("ce_id", b"bad-json")], b'{"label": "Jane Doe"')
    missing_field = cloud_event(sample("x"), event_id="missing")
    missing_field = (
        missing_field[0],
        missing_field[1],
        b'{"case_id": "%s", "personal": {"name": "Jane Doe"}}' % str(CASE).encode(),
    )
    unknown_type = (key, [(n, b"uk.police.diversion.unknown.v1" if n == "ce_type" else v) for n, v in headers], b"{}")
    no_envelope = (key, [("x-binary", b"\xff\xfe")], b'{"name": "Jane Doe"}')
    records = [
        cloud_event(sample("before"), event_id="before"),
        bad_json,
        missing_field,
        unknown_type,
        no_envelope,
        cloud_event(sample("refuse", personal={"name": "Jane Doe"}), event_id="refused"),
        cloud_event(sample("after"), event_id="after"),
    ]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    await run_until_committed(settings, effects_pool, expected_offsets=len(records))
    relay = OutboxRelay(effects_pool, producer := create_producer(settings.kafka, client_id="test-relay"))
    await producer.start()
    try:
        assert await relay.relay_batch() == 5
    finally:
        await producer.stop()

    labels = [r["label"] for r in await effects_pool.fetch("SELECT label FROM effects ORDER BY label")]
    assert labels == ["after", "before"], "the refused event's own write must be rolled back"
    appended = [r["label"] for r in await effects_pool.fetch("SELECT label FROM appended ORDER BY label")]
    assert appended == ["after", "before"], "the refused event's queued rows must be forgotten, the others' written"
    dead = await read_topic(settings.kafka, settings.topic(DEAD_LETTERS.name), at_least=5)
    assert len(dead) == 5
    by_offset = {int(dict(r.headers)["dlq_origin_offset"]): dict(r.headers) for r in dead}
    assert sorted(by_offset) == [1, 2, 3, 4, 5]
    assert [by_offset[o]["dlq_error_class"] for o in sorted(by_offset)] == [
        b"ValidationError",
        b"ValidationError",
        b"InvalidEnvelope",
        b"InvalidEnvelope",
        b"PoisonMessage",
    ]
    assert b"label" in by_offset[2]["dlq_reason"]
    for headers in by_offset.values():
        assert headers["dlq_origin_topic"] == settings.topic(CASES.name).encode()
        assert all(b"Jane" not in value for value in headers.values()), "no personal data in headers"
    assert {r.value for r in dead} >= {no_envelope[2]}, "the original body is kept for replay"


async def test_a_record_that_keeps_failing_is_dead_lettered_after_max_attempts(settings, effects_pool):
    settings = settings.model_copy(update={"max_delivery_attempts": 3})
    records = [cloud_event(sample("explode"), event_id="boom"), cloud_event(sample("after"), event_id="after")]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    await run_until_committed(settings, effects_pool, expected_offsets=2)

    assert [r["label"] for r in await effects_pool.fetch("SELECT label FROM effects")] == ["after"]
    assert [r["label"] for r in await effects_pool.fetch("SELECT label FROM appended")] == ["after"]
    dead = await effects_pool.fetch("SELECT header_names, header_values FROM outbox")
    assert len(dead) == 1
    headers = dict(zip(dead[0]["header_names"], dead[0]["header_values"], strict=False))
    assert headers["dlq_error_class"] == b"KeyError"


async def crash_sample_service(settings, schema: str, moment: str) -> None:
    environment = {
        **os.environ,
        **settings.kafka.environment(),
        "DATABASE_URL": settings.database_url,
        "TOPIC_PREFIX": settings.topic_prefix,
    }
    crashing = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.plumbing.sample_service",
        schema,
        moment,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert await asyncio.wait_for(crashing.wait(), timeout=90) == -9


async def test_consumer_killed_before_its_offset_commit_reprocesses_without_double_effect(
    settings,
    effects_pool,
    namespace,
):
    records = [cloud_event(sample(f"n{i}"), event_id=f"e{i}") for i in range(20)]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    await crash_sample_service(settings, namespace, "after-db-commit")
    assert await effects_pool.fetchval("SELECT count(*) FROM effects") > 0, "the batch reached the database"
    assert await committed_offsets(settings.kafka, settings.topic(GROUP)) == 0

    consumer = await run_until_committed(settings, effects_pool, expected_offsets=20)

    assert await effects_pool.fetchval("SELECT count(*) FROM effects") == 20
    assert await effects_pool.fetchval("SELECT count(DISTINCT event_id) FROM effects") == 20
    assert await effects_pool.fetchval("SELECT count(*) FROM appended") == 20
    assert consumer is not None


async def test_consumer_killed_mid_batch_loses_nothing(settings, effects_pool, namespace):
    records = [cloud_event(sample(f"n{i}"), event_id=f"e{i}") for i in range(20)]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    await crash_sample_service(settings, namespace, "mid-batch")
    assert await effects_pool.fetchval("SELECT count(*) FROM effects") == 0, "the batch was rolled back"

    await run_until_committed(settings, effects_pool, expected_offsets=20)

    assert await effects_pool.fetchval("SELECT count(DISTINCT event_id) FROM effects") == 20


def hostile_records() -> dict[str, tuple]:
    """Records a stranger could put on a topic, each of which once stalled or looped a service."""
    key, headers, value = cloud_event(sample("template"))
    replaced = lambda name, new: [(n, new if n == name else v) for n, v in headers]  # noqa: E731
    return {
        "type_not_utf8": (key, replaced("ce_type", b"\xff\xfe\xfa"), value),
        "id_of_6000_characters": (key, replaced("ce_id", ("x" * 6000).encode()), value),
        "type_nobody_knows": (key, replaced("ce_type", b"uk.police.diversion.nonsense-" + b"y" * 150 + b".v1"), value),
        "record_of_300_kb": (key, replaced("ce_id", b"huge"), value[:-1] + b', "padding": "' + b"z" * 300_000 + b'"}'),
        "header_of_2_kb": (key, [*replaced("ce_id", b"big-header"), ("x-note", b"n" * 2048)], b"{ not json"),
    }


async def test_hostile_records_are_dead_lettered_once_each_and_the_partition_keeps_flowing(settings, effects_pool):
    hostile = hostile_records()
    records = [
        cloud_event(sample("before"), event_id="before"),
        *hostile.values(),
        cloud_event(sample("after"), event_id="after"),
    ]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    await run_until_committed(settings, effects_pool, expected_offsets=len(records))
    relay = OutboxRelay(effects_pool, producer := create_producer(settings.kafka, client_id="test-relay"))
    await producer.start()
    try:
        assert await relay.relay_batch() == len(hostile)
        assert await relay.relay_batch() == 0, "every dead letter marked sent: none sent again"
    finally:
        await producer.stop()

    labels = [r["label"] for r in await effects_pool.fetch("SELECT label FROM effects ORDER BY label")]
    assert labels == ["after", "before"]
    dead = await read_topic(settings.kafka, settings.topic(DEAD_LETTERS.name), at_least=5)
    why = {int(dict(r.headers)["dlq_origin_offset"]): dict(r.headers) for r in dead}
    assert sorted(why) == [1, 2, 3, 4, 5]
    reasons = [why[offset]["dlq_reason"].decode() for offset in sorted(why)]
    assert reasons[0] == "header 'ce_type' is not UTF-8"
    assert reasons[1] == "CloudEvents header(s) longer than 200: ce_id"
    assert reasons[2] == "unknown event type: not one this topic carries"
    assert reasons[3].startswith("record of ") and why[4]["dlq_error_class"] == b"RecordTooLarge"
    assert why[4]["dlq_dropped"].startswith(b"body of ") and why[5]["dlq_dropped"] == b"header x-note"
    assert b"x" * 300 not in b"".join(v for h in why.values() for v in h.values()), "a long id is not echoed"


async def test_a_consumer_whose_connection_dies_takes_a_new_one_for_the_next_batch(settings, effects_pool):
    """The consumer keeps one connection from batch to batch; when PostgreSQL ends it, at most the batch in hand
    fails (to be retried whole) and the retry runs on a fresh connection instead of failing forever."""
    servers = []

    async def noting_its_server(batch, event):
        servers.append(batch.connection.get_server_pid())
        await record_effect(batch, event)

    consumer = build_consumer(effects_pool, settings, handler=noting_its_server)
    try:
        await consumer.process([_record(sample("first"), "first", offset=0)])
        await effects_pool.execute("SELECT pg_terminate_backend($1)", servers[-1])
        await asyncio.sleep(0.5)  # between batches: asyncpg sees the connection end and takes it back

        retried = [_record(sample("second"), "second", offset=1)]
        failures = 0
        while failures < 2:  # as the subscriber does: a failed batch is retried whole
            try:
                await consumer.process(retried)
                break
            except Exception:
                failures += 1
        assert failures < 2, "the batch after the connection died failed again"
    finally:
        await consumer.close()

    assert [r["label"] for r in await effects_pool.fetch("SELECT label FROM effects ORDER BY label")] == [
        "first",
        "second",
    ]


def _record(event: SampleHappened, event_id: str, *, offset: int) -> ConsumerRecord:
    key, headers, value = cloud_event(event, event_id=event_id)
    return ConsumerRecord("cases", 0, offset, 0, 0, key, value, None, len(key), len(value), headers)


async def test_a_batch_refused_because_its_reads_changed_meanwhile_is_run_again_and_never_dead_lettered(
    settings, effects_pool
):
    """`ChangedMeanwhile` (another transaction took what the batch decided on) is not the record's fault: the
    batch is run again at once on what is now true, and if the changes keep coming it goes back to Kafka
    whole — never dead-lettered, however often it happens."""
    attempts = []

    async def changed_on_first_attempt(batch, event):
        attempts.append(event.attributes.id)
        await record_effect(batch, event)
        if len(attempts) == 1:
            raise ChangedMeanwhile("the reference was taken")

    consumer = build_consumer(effects_pool, settings, handler=changed_on_first_attempt)
    try:
        outcome = await consumer.process([_record(sample("once"), "once", offset=0)])
    finally:
        await consumer.close()
    assert (outcome.applied, outcome.dead_lettered, attempts) == (1, 0, ["once", "once"])
    assert [r["label"] for r in await effects_pool.fetch("SELECT label FROM effects")] == ["once"]

    async def always_changed(batch, event):
        raise ChangedMeanwhile("the load moved")

    settings = settings.model_copy(update={"max_delivery_attempts": 1})
    consumer = build_consumer(effects_pool, settings, handler=always_changed)
    try:
        for _ in range(3):
            with pytest.raises(ChangedMeanwhile):
                await consumer.process([_record(sample("contended"), "contended", offset=1)])
    finally:
        await consumer.close()
    assert await effects_pool.fetchval("SELECT count(*) FROM outbox") == 0, "nothing dead-lettered"
