"""Police commands on `diversion.decisions.v1`: same validation and outcome as HTTP, bad ones dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiokafka.structs import ConsumerRecord

from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.transactional_consumer import Batch, IncomingEvent
from schemas.commands import DiversionDecision, NeedsAssessment
from schemas.envelope import decode, encode
from schemas.events import CaseOpened
from schemas.topics import DEAD_LETTERS, DECISIONS
from services.intake.adapters.intake_batch import DecidedMeanwhile
from services.intake.bootstrap import CONSUMER_GROUP
from services.intake.entrypoints.kafka_commands import ACCEPTED, command_handler, load
from tests.integration.intake.conftest import FORCE
from tests.integration.intake.test_http_decisions import case_events, decision
from tests.kafka_tools import committed_offsets, eventually, produce, read_topic


def command_record(command, event_id: str, key: str):
    encoded = encode(command, event_id=event_id, source="/police/niche-rms", time=datetime.now(UTC), key=key)
    return encoded.key, encoded.headers, encoded.value


async def send(intake, *records) -> None:
    await produce(intake.kafka, intake.settings.topic(DECISIONS.named(FORCE)), list(records))


async def test_a_decision_from_kafka_opens_the_same_case_http_would_and_is_idempotent_across_doors(intake):
    command = DiversionDecision.model_validate(decision("13YE0000100"))
    await send(intake, command_record(command, "cmd-1", "13YE0000100"))
    await send(intake, command_record(command, "cmd-1", "13YE0000100"))  # redelivered
    await send(intake, command_record(command, "cmd-2", "13YE0000100"))  # resubmitted with a new id

    events = await case_events(intake, at_least=1)
    await eventually(lambda: _processed(intake, 3))
    assert [event.get_type() for _, event in events] == [CaseOpened.event_type]
    over_http = await intake.http.post("/v1/decisions", json=decision("13YE0000100"))
    assert over_http.status_code == 200 and over_http.json()["replayed"] is True
    assert over_http.json()["case_id"] == str(CaseOpened.model_validate(events[0][1].get_data()).case_id)
    status = (await intake.http.get("/v1/cases/13YE0000100")).json()
    assert status["status"] == "open"
    assert await intake.pool.fetchval("SELECT received_via FROM cases") == "kafka"
    assert await intake.pool.fetchval("SELECT count(*) FROM cases") == 1


async def test_bad_commands_are_dead_lettered_and_the_partition_keeps_flowing(intake):
    good = DiversionDecision.model_validate(decision("13YE0000200"))
    key, headers, value = command_record(good, "good-1", "same-key")
    too_young = value.replace(b'"age_at_offence":34', b'"age_at_offence":3')
    for_unknown_case = NeedsAssessment.model_validate(
        {
            "force_id": "cambridgeshire",
            "police_reference": "13YE0009999",
            "assessed_at": "2025-03-05T10:00:00+00:00",
            "needs": [{"category": "housing", "severity": "high", "preferred_mode": "hybrid"}],
        }
    )
    other_force = DiversionDecision.model_validate(decision("13YE0000201", force_id="north-yorkshire"))
    await send(
        intake,
        (key, [(n, b"bad-1" if n == "ce_id" else v) for n, v in headers], b"{ not json"),
        (key, [(n, b"bad-2" if n == "ce_id" else v) for n, v in headers], too_young),
        command_record(for_unknown_case, "bad-3", "same-key"),
        command_record(other_force, "bad-4", "same-key"),
        (key, headers, value),
    )

    await eventually(lambda: _processed(intake, 5))
    dead = await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=4)
    reasons = {dict(r.headers)["ce_id"].decode(): dict(r.headers) for r in dead}
    assert sorted(reasons) == ["bad-1", "bad-2", "bad-3", "bad-4"]
    assert reasons["bad-2"]["dlq_reason"].startswith(b"age_at_offence:")
    assert reasons["bad-3"]["dlq_error_class"] == b"PoisonMessage"
    assert b"CaseNotFound" in reasons["bad-3"]["dlq_reason"]
    assert (
        reasons["bad-4"]["dlq_reason"]
        == b"it names force north-yorkshire but came on the topic of force cambridgeshire"
    )
    assert all(h["dlq_service"] == b"intake" for h in reasons.values())
    assert await intake.pool.fetchval("SELECT police_reference FROM cases") == "13YE0000200"


async def _processed(intake, count: int) -> bool:
    """Whether intake's consumer group has committed `count` commands (the DB commit came first)."""
    group = intake.settings.topic(CONSUMER_GROUP)
    return await committed_offsets(intake.kafka, group) >= count


async def test_a_reference_taken_over_http_while_its_kafka_twin_is_in_a_batch_stays_one_case(intake):
    """The batch found the reference free and keeps the case to write at its flush; a decision over HTTP takes
    the reference meanwhile: the flush refuses, nothing of the batch is kept, and its retry is a replay."""
    command = DiversionDecision.model_validate(decision("13YE0000150"))
    key, headers, value = command_record(command, "cmd-150", "13YE0000150")
    record = ConsumerRecord(intake.settings.topic(DECISIONS.named(FORCE)), 0, 0, 0, 0, key, value, None, 0, 0, headers)
    event = IncomingEvent(*decode(record.headers, record.value, ACCEPTED), record)
    handle = command_handler(intake.context)

    async def apply_batch(connection) -> None:
        batch = Batch(connection, PendingWrites(), await load(connection, [event]))
        await handle(batch, event)
        await batch.writes.flush(connection)

    async with intake.pool.acquire() as connection:
        with pytest.raises(DecidedMeanwhile):
            async with connection.transaction():
                batch = Batch(connection, PendingWrites(), await load(connection, [event]))
                await handle(batch, event)
                over_http = await intake.http.post("/v1/decisions", json=decision("13YE0000150"))
                assert over_http.status_code == 201, over_http.text
                await batch.writes.flush(connection)
        async with connection.transaction():
            await apply_batch(connection)

    assert await intake.pool.fetchval("SELECT count(*) FROM cases") == 1
    assert await intake.pool.fetchval("SELECT received_via FROM cases") == "http"
    opened = await intake.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE $1 = ANY(header_values)", CaseOpened.event_type.encode()
    )
    assert opened == 1, "one case opened, announced once"
