"""Erasure and retention at compliance, on the real database: the case's data key is destroyed, so no
sealed copy opens again; an open case is refused unless forced; each erasure is audited without the data;
the retention sweep erases each concluded case once, however many replicas sweep at the same moment."""

from __future__ import annotations

import asyncio
import uuid

from platform_plumbing import keyring
from schemas.events import CaseWithdrawn
from schemas.topics import CASES
from services.compliance.service_layer.personal_data import sweep_retention
from services.compliance.service_layer.unit_of_work import UnitOfWork
from tests.integration.compliance.conftest import PERSONAL

READ = {"purpose": "arranging_contact"}
AGENCY = "brighter-tomorrows"


async def _open(compliance):
    case = await compliance.open_case(referrals={AGENCY: ["women_specific_support"]})
    return case, case.referrals[AGENCY]


async def _read(compliance, referral) -> dict:
    answer = await compliance.http.get(f"/v1/referrals/{referral}", params=READ, headers=compliance.as_agency(AGENCY))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _erase(compliance, case_id, **body):
    return await compliance.http.post(
        "/v1/erasures",
        json={"case_id": str(case_id), "reason": "data_subject_request", **body},
        headers={"X-API-Key": compliance.keys["ops"]},
    )


async def _key_kept(compliance, case_id) -> bool:
    async with compliance.pool.acquire() as connection:
        return await keyring.wrapped_key(connection, case_id) is not None


async def _conclude(compliance, case_id) -> None:
    await compliance.send(
        CASES.name, CaseWithdrawn(case_id=case_id, reason="entered_in_error", withdrawn_at=compliance.clock.now())
    )


async def test_an_open_case_is_refused_unless_forced_and_then_no_agency_reads_the_details(compliance):
    case, referral = await _open(compliance)
    assert (await _read(compliance, referral))["personal"]["phone"] == PERSONAL["phone"]

    refused = await _erase(compliance, case.case_id)
    assert refused.status_code == 409 and refused.json()["error"] == "case_not_concluded"
    assert await _key_kept(compliance, case.case_id), "a refused erasure erases nothing"

    forced = await _erase(compliance, case.case_id, force=True)

    assert forced.status_code == 200 and forced.json() == {"case_id": str(case.case_id), "erased": True, "forced": True}
    assert not await _key_kept(compliance, case.case_id)
    after = await _read(compliance, referral)
    assert after["personal"] is None and after["status"] == "issued", "the referral itself goes on"
    assert await compliance.pool.fetchval("SELECT count(*) FROM referral_personal_details") == 0
    entry = await compliance.pool.fetchrow("SELECT * FROM audit_log WHERE action = 'erasure'")
    assert (entry["actor"], entry["purpose"], entry["case_id"]) == ("ops", "erasure_request", case.case_id)
    assert "forced while open" in entry["detail"]
    assert not any(value in str(dict(entry)) for value in PERSONAL.values()), "the trail keeps no erased data"


async def test_erasing_twice_says_the_details_were_already_gone_and_an_unknown_case_is_404(compliance):
    case, _ = await _open(compliance)
    await _conclude(compliance, case.case_id)

    first = await _erase(compliance, case.case_id)
    second = await _erase(compliance, case.case_id)

    assert first.json()["erased"] is True and first.json()["forced"] is False
    assert second.status_code == 200 and second.json()["erased"] is False
    assert (await _erase(compliance, uuid.uuid4())).status_code == 404
    assert await compliance.pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'erasure'") == 2


async def test_only_the_operations_key_erases(compliance):
    case, _ = await _open(compliance)

    answer = await compliance.http.post(
        "/v1/erasures",
        json={"case_id": str(case.case_id), "reason": "data_subject_request", "force": True},
        headers=compliance.as_agency(AGENCY),
    )

    assert answer.status_code == 403
    assert await _key_kept(compliance, case.case_id)


async def test_retention_erases_each_concluded_case_once_whatever_the_replicas_do(compliance):
    concluded = [(await _open(compliance))[0] for _ in range(3)]
    still_open, _ = await _open(compliance)
    for case in concluded:
        await _conclude(compliance, case.case_id)
    context = compliance.app.state.context

    async def sweep() -> int:
        async with (
            compliance.pool.acquire() as connection,
            connection.transaction(),
            UnitOfWork(connection, context) as uow,
        ):
            return await sweep_retention(uow)

    assert await sweep() == 0, "not before the retention period has passed"
    compliance.clock.advance(days=context.rules.personal_details_days_after_conclusion + 1)
    await asyncio.gather(sweep(), sweep(), sweep())

    assert [await _key_kept(compliance, case.case_id) for case in concluded] == [False, False, False]
    assert await _key_kept(compliance, still_open.case_id), "an open case keeps its details"
    rows = await compliance.pool.fetch("SELECT case_id, actor, purpose FROM audit_log WHERE action = 'erasure'")
    assert sorted(r["case_id"] for r in rows) == sorted(case.case_id for case in concluded), "each erased once"
    assert {(r["actor"], r["purpose"]) for r in rows} == {("compliance retention sweep", "retention")}
    assert await sweep() == 0
