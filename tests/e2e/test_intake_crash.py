"""Intake as a real process, SIGKILLed mid-stream and restarted: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg
import httpx

from schemas.commands import DiversionDecision
from schemas.envelope import read_attributes
from schemas.events import CaseOpened
from schemas.topics import CASES, DECISIONS
from tests.e2e.conftest import police_key
from tests.factories import payload
from tests.integration.intake.test_kafka_commands import command_record
from tests.kafka_tools import eventually, outbox_drained, produce, read_topic

KAFKA_DECISIONS = 500
HTTP_DECISIONS = 40


def reference(n: int) -> str:
    return f"13YE{n:07d}"


async def submit_until_accepted(http: httpx.AsyncClient, body: dict) -> dict:
    """What a police system does: retry the same decision until intake answers (resubmission is safe)."""
    while True:
        try:
            response = await http.post("/v1/decisions", json=body)
            if response.status_code in (200, 201):
                return response.json()
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.3)


async def test_intake_killed_mid_stream_loses_nothing_and_doubles_nothing(settings, start_service):
    intake_process, schema = await start_service(
        "intake",
        CONSUMER_BATCH_SIZE="10",
    )
    pool = await asyncpg.create_pool(settings.database_url, server_settings={"search_path": schema})
    api_key = await police_key(settings.database_url, schema)

    commands = [
        command_record(
            DiversionDecision.model_validate(payload(DiversionDecision, police_reference=reference(n))),
            f"cmd-{n}",
            reference(n),
        )
        for n in range(KAFKA_DECISIONS)
    ]
    await produce(settings.kafka, settings.topic(DECISIONS.named("cambridgeshire")), commands)
    async with httpx.AsyncClient(base_url=intake_process.url, headers={"X-API-Key": api_key}, timeout=5) as http:
        submissions = asyncio.gather(
            *(
                submit_until_accepted(http, payload(DiversionDecision, police_reference=reference(10_000 + n)))
                for n in range(HTTP_DECISIONS)
            )
        )
        await eventually(lambda: _cases_at_least(pool, 30), timeout=60)
        intake_process.kill()
        assert await pool.fetchval("SELECT count(*) FROM cases") < KAFKA_DECISIONS + HTTP_DECISIONS, (
            "the crash came mid-stream"
        )
        await intake_process.start()
        answers = await submissions

    total = KAFKA_DECISIONS + HTTP_DECISIONS
    await eventually(lambda: _cases_at_least(pool, total), timeout=120)
    await eventually(lambda: outbox_drained(pool), timeout=60)
    assert await pool.fetchval("SELECT count(*) FROM cases") == total
    assert len({answer["case_id"] for answer in answers}) == HTTP_DECISIONS
    records = await read_topic(settings.kafka, settings.topic(CASES.name), at_least=total * 2)
    opened = [r for r in records if read_attributes(r.headers).type == CaseOpened.event_type]
    opened_per_reference = Counter(
        CaseOpened.model_validate_json(r.value).police_reference
        for r in {read_attributes(r.headers).id: r for r in opened}.values()
    )
    assert len(opened_per_reference) == total, "every decision's case was published"
    assert set(opened_per_reference.values()) == {1}, "no decision opened two cases"
    log = intake_process.log.read_text()
    assert "Example" not in log and "Alex" not in log and "PE1 1HF" not in log, "no personal data in logs"
    await pool.close()


async def _cases_at_least(pool, count: int) -> bool:
    return await pool.fetchval("SELECT count(*) FROM cases") >= count
