"""Hostile records on the running system, as a stranger with a party's own Kafka login would send them (issue 22):
the burst that once stopped intake for good — 100 kB of nested brackets, header names that are not UTF-8, and
the rest — on the force's decisions topic, and the same on an agency's updates topic. Each is dead-lettered
once; a valid decision behind the burst is a case within 10 s, its referral is issued, and the agency's valid
update behind its own burst is applied within 10 s."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx

from benchmarks.load import decision_record
from platform_plumbing.kafka_acls import agency_principal, police_principal
from schemas.commands import ReferralAccepted
from schemas.envelope import decode
from schemas.events import ReferralIssued
from schemas.registry import EVENT_TYPES
from schemas.topics import AGENCY_UPDATES, DEAD_LETTERS, DECISIONS, REFERRALS
from tests.hostile_doors import FIXED_EXAMPLES, record_of
from tests.kafka_tools import eventually, produce_raw, read_topic

FORCE, AGENCY = "cambridgeshire", "substance-misuse-treatment"
BOUND_SECONDS = 10


async def test_a_hostile_burst_on_each_door_is_dead_lettered_and_what_follows_goes_through(
    settings, infrastructure, start_service
):
    intake, intake_schema = await start_service("intake")
    await start_service("router")
    _, compliance_schema = await start_service("compliance")
    police = infrastructure.kafka.of(police_principal(FORCE))
    agency = infrastructure.kafka.of(agency_principal(AGENCY))
    decisions, updates = settings.topic(DECISIONS.named(FORCE)), settings.topic(AGENCY_UPDATES.named(AGENCY))

    template = _as_record(decision_record("13YE9000000", "hostile-subject-1"))
    await produce_raw(police, decisions, [make(template) for make in FIXED_EXAMPLES.values()])
    sent = time.monotonic()
    await produce_raw(police, decisions, [_as_record(decision_record("13YE9000001", "hostile-subject-2"))])
    opened = await _case_opened(settings, intake_schema, "13YE9000001")
    decision_seconds = time.monotonic() - sent

    issued = await _issued_to(settings, AGENCY)
    ids = {"case_id": issued.case_id, "referral_id": issued.referral_id, "agency_id": AGENCY}
    accepted = record_of(ReferralAccepted(**ids, occurred_at=datetime.now(UTC)), source="/agency")
    await produce_raw(agency, updates, [make(accepted) for make in FIXED_EXAMPLES.values()])
    sent = time.monotonic()
    await produce_raw(agency, updates, [_with_new_id(accepted)])
    await _referral_accepted(settings, compliance_schema, issued.referral_id)
    update_seconds = time.monotonic() - sent

    print(f"valid decision applied {decision_seconds:.2f} s, valid update {update_seconds:.2f} s after its burst")
    assert opened and decision_seconds <= BOUND_SECONDS and update_seconds <= BOUND_SECONDS
    await asyncio.sleep(5)  # a relay stuck on the dead letters would have sent them again by now
    letters = await read_topic(settings.kafka, settings.topic(DEAD_LETTERS.name), at_least=2 * len(FIXED_EXAMPLES))
    origins = sorted(dict(r.headers)["dlq_origin_topic"].decode() for r in letters)
    assert origins == sorted([decisions] * len(FIXED_EXAMPLES) + [updates] * len(FIXED_EXAMPLES)), "each once"
    assert await _metric(intake.url, "diversion_consumer_stalled_seconds") in (None, 0.0)


def _as_record(encoded) -> tuple:
    return encoded.key, encoded.headers, encoded.value


def _with_new_id(record: tuple) -> tuple:
    key, headers, value = record
    return key, [(n, uuid.uuid4().hex.encode() if n == "ce_id" else v) for n, v in headers], value


async def _case_opened(settings, schema: str, reference: str) -> bool:
    query = f"SELECT count(*) FROM {schema}.cases WHERE police_reference = $1"

    async def found() -> bool:
        async with _connection(settings) as connection:
            return await connection.fetchval(query, reference) == 1

    return await eventually(found, timeout=BOUND_SECONDS + 20)


async def _issued_to(settings, agency: str) -> ReferralIssued:
    async def issued() -> ReferralIssued | None:
        for record in await read_topic(settings.kafka, settings.topic(REFERRALS.name), at_least=1, timeout=2):
            _, event = decode(record.headers, record.value, EVENT_TYPES)
            if isinstance(event, ReferralIssued) and event.agency_id == agency:
                return event
        return None

    return await eventually(issued, timeout=60)


async def _referral_accepted(settings, schema: str, referral_id) -> None:
    query = f"SELECT status FROM {schema}.referrals WHERE referral_id = $1"

    async def accepted() -> bool:
        async with _connection(settings) as connection:
            return await connection.fetchval(query, referral_id) == "accepted"

    await eventually(accepted, timeout=BOUND_SECONDS + 20)


@contextlib.asynccontextmanager
async def _connection(settings):
    connection = await asyncpg.connect(settings.database_url)
    try:
        yield connection
    finally:
        await connection.close()


async def _metric(url: str, name: str) -> float | None:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{url}/metrics/")).text
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{")]
    return max(values) if values else None
