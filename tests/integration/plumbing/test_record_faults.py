"""No record can stall a consumer (issue 22): whatever a record makes the code raise — decoding it, the batch's
load step, its handler, writing what it queued, sealing its dead letter — counts against that record, which is
dead-lettered after the allowed attempts while the records around it are applied; and Kafka itself cannot
hand the consumer a record it chokes on (a header's name that is not UTF-8). On the real broker and database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from benchmarks.outside import RawHeaderName
from platform_plumbing import transactional_consumer
from platform_plumbing.dead_letters import dead_letter
from platform_plumbing.incoming import Replay
from platform_plumbing.kafka_clients import create_producer
from platform_plumbing.outbox_relay import OutboxRelay
from schemas.topics import CASES, DEAD_LETTERS
from tests.integration.plumbing.sample_service import SampleHappened, build_consumer, record_effect
from tests.integration.plumbing.test_transactional_consumer import CASE, run_until_committed, sample
from tests.kafka_tools import cloud_event, produce, produce_raw, read_topic


async def test_a_record_that_makes_decoding_raise_anything_is_dead_lettered_at_once(settings, effects_pool):
    recursing = SampleHappened.model_construct(case_id=CASE, label="recurse", personal=None)  # built unchecked
    records = [cloud_event(recursing, event_id="recurse"), cloud_event(sample("after"), event_id="after")]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    await run_until_committed(settings, effects_pool, expected_offsets=2)

    assert await _labels(effects_pool) == ["after"]
    assert await _dead_letters(effects_pool) == [("RecursionError", "the record could not be read")]


async def test_a_record_the_batch_load_step_fails_on_is_found_and_dead_lettered_alone(settings, effects_pool):
    settings = settings.model_copy(update={"max_delivery_attempts": 3})
    loads = []

    async def load(connection, events):
        loads.append(len(events))
        if any(event.payload.label == "unloadable" for event in events):
            raise LookupError("the load step cannot take this record")

    records = [cloud_event(sample(label), event_id=label) for label in ("before", "unloadable", "after")]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    consumer = build_consumer(effects_pool, settings, load=load)
    await run_until_committed(settings, effects_pool, expected_offsets=3, consumer=consumer)

    assert await _labels(effects_pool) == ["after", "before"]
    assert await _dead_letters(effects_pool) == [("LookupError", "unexpected error")]


async def test_a_record_whose_queued_rows_cannot_be_written_is_dead_lettered_alone(settings, effects_pool):
    """A NUL in a string passes JSON and pydantic but not PostgreSQL: the batch's flush fails, and only the record
    that queued the row is set aside."""
    settings = settings.model_copy(update={"max_delivery_attempts": 2})

    async def queue_label(batch, event):
        batch.writes.add("appended", ("event_id", "label"), [(event.attributes.id, event.payload.label)])

    labels = ("before", "nul\x00inside", "after")
    # the event ids without the NUL: an id holding one is refused with the envelope, before any row is queued
    records = [cloud_event(sample(label), event_id=label.replace("\x00", "-")) for label in labels]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    await run_until_committed(settings, effects_pool, 3, consumer=build_consumer(effects_pool, settings, queue_label))

    appended = [r["label"] for r in await effects_pool.fetch("SELECT label FROM appended ORDER BY label")]
    assert appended == ["after", "before"]
    assert [error for error, _ in await _dead_letters(effects_pool)] == ["CharacterNotInRepertoireError"]


async def test_a_dead_letter_whose_body_cannot_be_sealed_goes_without_its_body(settings, effects_pool):
    class FailingSeal:
        """Sealing that raises what `json.loads` once raised in it, on a body nested 50,000 levels deep."""

        @staticmethod
        def is_sealed(record) -> bool:
            return False

        async def seal(self, connection, letter):
            raise RecursionError("maximum recursion depth exceeded")

    key, headers, _ = cloud_event(sample("x"), event_id="unreadable")
    records = [(key, headers, b'{"label": "Jane Doe"'), cloud_event(sample("after"), event_id="after")]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    consumer = build_consumer(effects_pool, settings, record_effect, sealed_letters=FailingSeal())
    await run_until_committed(settings, effects_pool, expected_offsets=2, consumer=consumer)

    assert await _labels(effects_pool) == ["after"]
    (letter,) = await _sent_dead_letters(settings, effects_pool, 1)
    assert letter.value is None, "never in clear: the body goes when it cannot be sealed"
    assert dict(letter.headers)["dlq_dropped"] == b"body (could not be sealed)"


async def test_records_kafka_hands_over_with_header_names_that_are_not_utf8_are_dead_lettered(settings, effects_pool):
    """aiokafka decodes header names strictly while unpacking a fetched batch: without `kafka_records`, every
    fetch of the partition raised and the consumer never saw the record (a stall, found in issue 22)."""
    topic = settings.topic(CASES.name)
    key, headers, value = cloud_event(sample("named badly"), event_id="named-badly")
    await produce_raw(
        settings.kafka,
        topic,
        [
            cloud_event(sample("before"), event_id="before"),
            (key, [*headers, (RawHeaderName(b"\xff\xfe"), b"x")], value),
            cloud_event(sample("after"), event_id="after"),
        ],
    )

    await run_until_committed(settings, effects_pool, expected_offsets=3)

    assert await _labels(effects_pool) == ["after", "before"]
    (letter,) = await _sent_dead_letters(settings, effects_pool, 1)
    why = dict(letter.headers)
    assert (why["dlq_reason"], why["dlq_dropped"]) == (
        b"a header's name is not UTF-8",
        b"a header whose name is not UTF-8",
    )


async def test_a_body_nested_fifty_thousand_deep_is_refused_before_any_parser_reads_it(settings, effects_pool):
    key, headers, _ = cloud_event(sample("x"), event_id="nested")
    nested = b"[" * 50_000 + b"]" * 50_000
    await produce(settings.kafka, settings.topic(CASES.name), [(key, headers, nested), cloud_event(sample("after"))])

    await run_until_committed(settings, effects_pool, expected_offsets=2)

    assert await _labels(effects_pool) == ["after"]
    assert await _dead_letters(effects_pool) == [("InvalidEnvelope", "JSON nested deeper than the 32 levels accepted")]


async def _labels(pool) -> list[str]:
    return [r["label"] for r in await pool.fetch("SELECT label FROM effects ORDER BY label")]


async def _dead_letters(pool) -> list[tuple[str, str]]:
    """(error class, reason) of each dead letter in the outbox, in order."""
    rows = await pool.fetch("SELECT header_names, header_values FROM outbox ORDER BY id")
    letters = [dict(zip(row["header_names"], row["header_values"], strict=True)) for row in rows]
    return [(letter["dlq_error_class"].decode(), letter["dlq_reason"].decode()) for letter in letters]


async def _sent_dead_letters(settings, pool, expected: int):
    producer = create_producer(settings.kafka, client_id="test-relay")
    await producer.start()
    try:
        assert await OutboxRelay(pool, producer).relay_batch() == expected
    finally:
        await producer.stop()
    return await read_topic(settings.kafka, settings.topic(DEAD_LETTERS.name), at_least=expected)


async def test_a_header_name_holding_a_nul_is_dropped_from_the_dead_letter_that_keeps_the_rest(settings, effects_pool):
    key, headers, _ = cloud_event(sample("x"), event_id="nul-name")
    records = [(key, [*headers, ("with\x00nul", b"v")], b"{ not json"), cloud_event(sample("after"), event_id="after")]
    await produce_raw(settings.kafka, settings.topic(CASES.name), records)

    await run_until_committed(settings, effects_pool, expected_offsets=2)

    assert await _labels(effects_pool) == ["after"]
    (letter,) = await _sent_dead_letters(settings, effects_pool, 1)
    assert dict(letter.headers)["dlq_dropped"] == b"a header whose name holds a NUL"
    assert letter.value == b"{ not json", "the rest of the record is kept for a replay"


async def test_a_record_whose_dead_letter_cannot_be_written_goes_bare_after_its_attempts(
    settings, effects_pool, monkeypatch
):
    """Should a letter ever hold what the outbox cannot (here: a dead-lettering that forgot to drop a header name
    PostgreSQL cannot store), the record is not retried for ever: it counts against the record, and its letter
    finally goes with where and why only."""
    settings = settings.model_copy(update={"max_delivery_attempts": 2})

    def keeping_every_header(record, rejection, *, topic, service):
        letter = dead_letter(record, rejection, topic=topic, service=service)
        return replace(letter, headers=[*letter.headers, ("with\x00nul", b"v")])

    monkeypatch.setattr(transactional_consumer, "dead_letter", keeping_every_header)
    key, headers, _ = cloud_event(sample("x"), event_id="unwritable")
    records = [(key, headers, b"{ not json"), cloud_event(sample("after"), event_id="after")]
    await produce(settings.kafka, settings.topic(CASES.name), records)

    await run_until_committed(settings, effects_pool, expected_offsets=2)

    assert await _labels(effects_pool) == ["after"]
    (letter,) = await _sent_dead_letters(settings, effects_pool, 1)
    assert letter.value is None and all(name.startswith("dlq_") for name, _ in letter.headers)
    assert dict(letter.headers)["dlq_error_class"] == b"ValidationError"
    assert b"could not be written: CharacterNotInRepertoireError" in dict(letter.headers)["dlq_dropped"]


class RequestsThatCannotBeResolved:
    """Every record of the sample's topic taken as a replay request for itself; resolving `unresolvable` raises what
    a defect in resolving (not the broker being away) would."""

    def requested_on(self, topic: str) -> bool:
        return True

    async def resolve(self, record):
        if dict(record.headers)["ce_id"] == b"unresolvable":
            raise LookupError("a defect in resolving")
        return record, Replay("operator:test", datetime.now(UTC), record)


async def test_a_replay_request_that_makes_resolving_raise_is_dead_lettered_after_its_attempts(settings, effects_pool):
    """Resolving a request runs before the batch's transaction: a failure there once retried the batch for ever,
    counted against nothing."""
    settings = settings.model_copy(update={"max_delivery_attempts": 3})
    records = [cloud_event(sample("unresolvable"), event_id="unresolvable"), cloud_event(sample("after"))]
    await produce(settings.kafka, settings.topic(CASES.name), records)
    consumer = build_consumer(effects_pool, settings, replays=RequestsThatCannotBeResolved())

    await run_until_committed(settings, effects_pool, expected_offsets=2, consumer=consumer)

    assert await _labels(effects_pool) == ["after"]
    assert await _dead_letters(effects_pool) == [("LookupError", "the replay request could not be resolved")]
