"""Police see every outcome at intake: it follows compliance's decisions on `diversion.compliance.v1` (newer
ones only) and refuses, naming the status, a command that makes no sense for it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from schemas.events import CaseStatusChanged, ConditionStatusChanged, ReferralStatusChanged
from tests.integration.intake.test_http_decisions import decision

CHANGED_AT = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)


def case_changed(case_id: str, status: str, *, sequence: int, previous: str = "open", **extra) -> CaseStatusChanged:
    return CaseStatusChanged(
        case_id=case_id,
        force_id="cambridgeshire",
        police_reference="13YE0000000",
        disposal_type="adult_conditional_caution",
        status=status,
        previous_status=previous,
        complete_by="2025-06-23",
        sequence=sequence,
        changed_at=CHANGED_AT,
        **extra,
    )


def referral_changed(case_id: str, referral_id, status: str, *, sequence: int) -> ReferralStatusChanged:
    return ReferralStatusChanged(
        case_id=case_id,
        referral_id=referral_id,
        agency_id="substance-misuse-treatment",
        needs=["alcohol_misuse"],
        status=status,
        previous_status=None,
        sequence=sequence,
        changed_at=CHANGED_AT,
    )


async def open_case(intake, reference: str) -> dict:
    response = await intake.http.post("/v1/decisions", json=decision(reference))
    assert response.status_code == 201, response.text
    return (await intake.http.get(f"/v1/cases/{reference}")).json()


async def test_the_case_shows_its_status_conditions_referrals_and_dated_history_as_compliance_decides(intake):
    case = await open_case(intake, "13YE0000300")
    case_id, (rehab, letter) = case["case_id"], [c["condition"] for c in case["conditions"]]
    referral = uuid.uuid4()

    await intake.follow(
        referral_changed(case_id, referral, "issued", sequence=1),
        referral_changed(case_id, referral, "completed", sequence=3),
        referral_changed(case_id, referral, "accepted", sequence=2),  # late: older than what intake holds
        ConditionStatusChanged(
            case_id=case_id,
            condition_id=rehab["condition_id"],
            kind="rehabilitative",
            status="met",
            sequence=1,
            changed_at=CHANGED_AT,
        ),
        case_changed(
            case_id, "awaiting_police_decision", sequence=1, reason="deadline_passed", next_step="prosecution_decision"
        ),
    )

    body = (await intake.http.get("/v1/cases/13YE0000300")).json()
    assert (body["status"], body["reason"], body["next_step"]) == (
        "awaiting_police_decision",
        "deadline_passed",
        "prosecution_decision",
    )
    assert body["breach_sequence"] == 1
    assert [(c["condition"]["condition_id"], c["status"]) for c in body["conditions"]] == [
        (rehab["condition_id"], "met"),
        (letter["condition_id"], "open"),
    ]
    assert [(r["referral_id"], r["status"]) for r in body["referrals"]] == [(str(referral), "completed")]
    assert [h["what"] for h in body["history"]] == ["case opened", "referral", "referral", "condition", "case status"]
    assert body["history"][-1]["detail"] == "awaiting police decision (deadline_passed)"


async def test_a_stale_or_repeated_case_change_changes_nothing(intake):
    case = await open_case(intake, "13YE0000301")

    await intake.follow(
        case_changed(case["case_id"], "completed", sequence=2),
        case_changed(case["case_id"], "awaiting_police_decision", sequence=1),
        case_changed(case["case_id"], "completed", sequence=2),
    )

    body = (await intake.http.get("/v1/cases/13YE0000301")).json()
    assert body["status"] == "completed" and body["breach_sequence"] == 2
    assert [h["what"] for h in body["history"]].count("case status") == 1


async def test_commands_that_make_no_sense_for_the_status_are_refused_naming_it(intake):
    case = await open_case(intake, "13YE0000302")
    await intake.follow(case_changed(case["case_id"], "completed", sequence=1))
    withdrawal = {
        "force_id": "cambridgeshire",
        "police_reference": "13YE0000302",
        "reason": "entered_in_error",
        "withdrawn_at": "2025-03-06T10:00:00+00:00",
    }

    withdrawn = await intake.http.post("/v1/withdrawals", json=withdrawal)
    extended = await intake.http.post("/v1/cases/13YE0000302/deadline-extension", json={"reason": "subject_unwell"})
    decided = await intake.http.post(
        "/v1/cases/13YE0000302/breach-decision",
        json={"decision": "no_further_action", "officer": "PC1", "reason": "x", "breach_sequence": 1},
    )

    assert [r.status_code for r in (withdrawn, extended, decided)] == [409, 409, 409]
    assert withdrawn.json()["message"] == "the case is completed, so it cannot be withdrawn"
    assert extended.json()["message"] == "the case is completed, so its deadline cannot be extended"
    assert decided.json()["message"] == "the case is completed, so there is no breach to decide on"
