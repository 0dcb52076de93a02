"""A safeguarding concern an agency sends on Kafka reaches its force at once, even while compliance's consumer is
held up by a long batch working on the very same case (issue 24: it waited behind the group's lag, p99 6.1 s at the
sustained rate, and a first lane that took the case's locks still waited for the batch); the consumer, reading it
later, finds it kept and tells nobody twice. On the real broker and database."""

from __future__ import annotations

import asyncio
import uuid

from schemas.commands import CaseworkerAssigned, ConcernRaised
from schemas.events import SafeguardingConcernRecorded
from schemas.topics import AGENCY_UPDATES, CONCERNS
from services.compliance.adapters.case_locks import lock_cases
from tests.integration.compliance.test_agency_work import TREATMENT, published
from tests.integration.compliance.test_kafka_updates import AT
from tests.kafka_tools import eventually

WAITING_FOR_A_CASE = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"


async def test_a_concern_overtakes_a_consumer_held_up_by_a_batch_on_its_case(compliance):
    lane = compliance.app.state.runtime.lanes[0]
    await asyncio.wait_for(lane.reading.wait(), timeout=60)
    worried = await compliance.open_case()
    about = {"referral_id": worried.referrals[TREATMENT], "case_id": worried.case_id}
    concern = ConcernRaised(
        **about,
        agency_id=TREATMENT,
        occurred_at=AT,
        concern_id=uuid.uuid4(),
        kind="risk_to_self",
        urgency="immediate",
        details="Said so.",
    )

    async with compliance.pool.acquire() as holder, holder.transaction():
        await lock_cases(holder, {worried.case_id})  # another replica's long batch on the same case
        await holder.execute("SELECT 1 FROM cases WHERE case_id = $1 FOR UPDATE", worried.case_id)
        update = CaseworkerAssigned(**about, agency_id=TREATMENT, occurred_at=AT, caseworker="Ash")
        await compliance.send(AGENCY_UPDATES.named(TREATMENT), update, settle=False)
        await eventually(lambda: _waiting(compliance), timeout=60)
        await compliance.send(AGENCY_UPDATES.named(TREATMENT), concern, settle=False)

        (told,) = await published(compliance, CONCERNS.named("cambridgeshire"), SafeguardingConcernRecorded)
        assert told.concern_id == concern.concern_id
        assert await _waiting(compliance), "the consumer was still held up when the police were told"

    await compliance.settled()
    kept = await compliance.pool.fetchval("SELECT count(*) FROM concerns WHERE concern_id = $1", concern.concern_id)
    assert kept == 1
    told_again = await published(compliance, CONCERNS.named("cambridgeshire"), SafeguardingConcernRecorded)
    assert [event.concern_id for event in told_again] == [concern.concern_id], "told once, not again by the consumer"
    audited = await compliance.pool.fetch(
        "SELECT actor FROM audit_log WHERE referral_id = $1 AND detail LIKE 'concern.raise%'", about["referral_id"]
    )
    assert [row["actor"] for row in audited] == [f"agency-{TREATMENT}"]


async def _waiting(compliance) -> bool:
    return await compliance.pool.fetchval(WAITING_FOR_A_CASE) > 0
