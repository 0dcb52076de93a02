"""From agency updates to the outcomes police act on: completed, breached by absences or by deadline,
not completed, refused transitions, late updates, and the reports."""

from __future__ import annotations

from datetime import date

from services.compliance.entrypoints.timers import sweep_once

APPOINTMENT = "0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e99"
SECOND_APPOINTMENT = "0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e98"
EXCUSED = "0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e97"
DONE = {"goals": [{"need": "alcohol_misuse", "goal": "complete the course", "outcome": "achieved"}]}


async def complete_referral(compliance, agency: str, referral) -> None:
    for action, body in [
        ("accept", {}),
        (
            "appointments",
            {"purpose": "initial_assessment", "mode": "face_to_face", "scheduled_for": "2026-03-09T14:00:00+00:00"},
        ),
        (f"appointments/{APPOINTMENT}/attended", {}),
        ("completion", DONE),
    ]:
        response = await compliance.post(agency, referral, action, body)
        assert response.status_code == 200, response.text


async def test_every_referral_completed_completes_the_case(compliance):
    case = await compliance.open_case()

    await complete_referral(compliance, "womens-programme", case.referrals["womens-programme"])
    assert [t for t, _ in await compliance.outcomes(case.case_id)] == ["condition.completed"]
    await complete_referral(compliance, "substance-misuse-treatment", case.referrals["substance-misuse-treatment"])

    outcomes = await compliance.outcomes(case.case_id)
    assert [t for t, _ in outcomes] == ["condition.completed", "condition.completed", "case.completed"]
    assert {p.condition_id for t, p in outcomes if t == "condition.completed"} == set(case.conditions)
    completed = outcomes[-1][1]
    assert completed.police_reference.startswith("13YE") and completed.disposal_type == "adult_conditional_caution"


async def test_unacceptable_absences_breach_a_caution_for_a_prosecution_decision(compliance):
    case = await compliance.open_case()
    referral = case.referrals["substance-misuse-treatment"]

    first = await compliance.post(
        "substance-misuse-treatment", referral, f"appointments/{APPOINTMENT}/missed", {"absence_acceptable": False}
    )
    excused = await compliance.post(
        "substance-misuse-treatment", referral, f"appointments/{EXCUSED}/missed", {"absence_acceptable": True}
    )
    same_again = await compliance.post(
        "substance-misuse-treatment", referral, f"appointments/{APPOINTMENT}/missed", {"absence_acceptable": False}
    )
    second = await compliance.post(
        "substance-misuse-treatment",
        referral,
        f"appointments/{SECOND_APPOINTMENT}/missed",
        {"absence_acceptable": False},
    )

    assert first.json()["status"] == excused.json()["status"] == "in_progress"
    assert same_again.json()["applied"] is False, "one absence reported twice counts once"
    assert second.json() == {**second.json(), "status": "breached", "case_status": "breached"}
    outcomes = await compliance.outcomes(case.case_id)
    assert [t for t, _ in outcomes] == ["condition.breached", "case.breached"]
    assert outcomes[-1][1].reason == "missed_appointment"
    assert outcomes[-1][1].next_step == "prosecution_decision"


async def test_a_community_resolution_is_never_breached_only_not_completed(compliance):
    case = await compliance.open_case(disposal="community_resolution")

    await compliance.post("womens-programme", case.referrals["womens-programme"], "accept")
    response = await compliance.post("womens-programme", case.referrals["womens-programme"], "disengagement")

    assert response.json()["case_status"] == "non_completion"
    outcomes = await compliance.outcomes(case.case_id)
    assert [t for t, _ in outcomes] == ["condition.breached", "case.noncompleted"]
    assert outcomes[-1][1].reason == "disengaged"


async def test_a_deadline_that_passes_with_no_event_at_all_breaches_the_case(compliance):
    case = await compliance.open_case(complete_by=date(2026, 6, 22))
    context = compliance.app.state.context

    compliance.clock.advance(days=112, hours=14, minutes=59)  # 2026-06-22 23:59, still the deadline day
    assert await sweep_once(compliance.pool, context) == 0
    compliance.clock.advance(minutes=2)  # 2026-06-23 00:01
    assert await sweep_once(compliance.pool, context) == 1
    assert await sweep_once(compliance.pool, context) == 0, "a case is breached once"

    outcomes = await compliance.outcomes(case.case_id)
    assert [t for t, _ in outcomes] == ["condition.breached", "condition.breached", "case.breached"]
    assert outcomes[-1][1].reason == "deadline_passed"


async def test_an_extended_deadline_is_respected(compliance):
    from schemas.events import DeadlineExtended
    from schemas.topics import CASES

    case = await compliance.open_case(complete_by=date(2026, 6, 22))
    await compliance.send(
        CASES.name,
        DeadlineExtended(
            case_id=case.case_id,
            previous_complete_by=date(2026, 6, 22),
            complete_by=date(2026, 7, 20),
            reason="subject_unwell",
        ),
    )
    compliance.clock.advance(days=120)  # 2026-06-30

    assert await sweep_once(compliance.pool, compliance.app.state.context) == 0


async def test_illegal_transitions_are_refused_and_a_breach_is_never_undone(compliance):
    case = await compliance.open_case()
    women = case.referrals["womens-programme"]
    await complete_referral(compliance, "womens-programme", women)

    refused = await compliance.post("womens-programme", women, "decline", {"reason": "no_capacity"})
    late = await compliance.post("womens-programme", women, f"appointments/{APPOINTMENT}/attended")

    assert refused.status_code == 409 and refused.json()["error"] == "illegal_transition"
    assert late.status_code == 200 and late.json()["applied"] is False and late.json()["status"] == "completed"

    treatment = case.referrals["substance-misuse-treatment"]
    await compliance.post("substance-misuse-treatment", treatment, "disengagement")
    after_breach = await compliance.post("substance-misuse-treatment", treatment, "completion", DONE)
    assert after_breach.json()["applied"] is False and after_breach.json()["status"] == "breached"
    detail = (
        await compliance.http.get(
            f"/v1/referrals/{treatment}", headers=compliance.as_agency("substance-misuse-treatment")
        )
    ).json()
    assert [(u["update_type"], u["applied"]) for u in detail["updates"]] == [("disengage", True), ("complete", False)]


async def test_reports_give_rates_by_disposal_and_reoffending_by_programme(compliance):
    from schemas.events import ReoffendingSignal
    from schemas.topics import POLICE_SIGNALS

    completed = await compliance.open_case(
        subject_ref="subj-aaaaaaaaaa", referrals={"substance-misuse-treatment": ["alcohol_misuse"]}
    )
    breached = await compliance.open_case(
        subject_ref="subj-bbbbbbbbbb", referrals={"substance-misuse-treatment": ["alcohol_misuse"]}
    )
    await complete_referral(compliance, "substance-misuse-treatment", completed.referrals["substance-misuse-treatment"])
    await compliance.post(
        "substance-misuse-treatment", breached.referrals["substance-misuse-treatment"], "disengagement"
    )
    await compliance.send(
        POLICE_SIGNALS.name,
        ReoffendingSignal(
            case_id=breached.case_id, subject_ref="subj-bbbbbbbbbb", named_on=date(2027, 1, 5), domestic_abuse=False
        ),
    )
    as_ops = {"X-API-Key": compliance.keys["ops"]}

    by_disposal = (await compliance.http.get("/v1/reports/compliance", headers=as_ops)).json()
    by_agency = (await compliance.http.get("/v1/reports/compliance?by=agency", headers=as_ops)).json()
    reoffending = (await compliance.http.get("/v1/reports/reoffending?by=programme", headers=as_ops)).json()

    assert by_disposal == [
        {
            "group": "adult_conditional_caution",
            "completed": 1,
            "breached": 1,
            "not_completed": 0,
            "open": 0,
            "concluded": 2,
            "rate": 0.5,
        }
    ]
    assert by_agency[0]["group"] == "substance-misuse-treatment" and by_agency[0]["rate"] == 0.5
    assert reoffending == [
        {"group": "substance-misuse-treatment", "diverted": 2, "named_within_24_months": 1, "rate": 0.5}
    ]
