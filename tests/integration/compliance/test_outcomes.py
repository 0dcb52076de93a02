"""From agency updates, police reports and the passing of time to what compliance publishes: every change to
referrals, conditions and the case, in order — completed, breached by absences or by deadline, not
completed, unable to comply for want of a place, and after the police's decision."""

from __future__ import annotations

from datetime import date, timedelta

from schemas.events import (
    BreachDecisionRecorded,
    CaseWithdrawn,
    ConditionProgressReported,
    DeadlineExtended,
    ReferralQueued,
)
from schemas.topics import CASES, REFERRALS
from services.compliance.entrypoints.timers import sweep_once
from tests.kafka_tools import PARTIES, read_topic

FORCE = PARTIES.forces[0]
APPOINTMENT = "0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e99"
SECOND_APPOINTMENT = "0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e98"
EXCUSED = "0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e97"
DONE = {"goals": [{"need": "alcohol_misuse", "goal": "complete the course", "outcome": "achieved"}]}
TREATMENT = "substance-misuse-treatment"


async def schedule(compliance, agency: str, referral, appointment: str) -> None:
    body = {
        "appointment_id": appointment,
        "purpose": "initial_assessment",
        "mode": "face_to_face",
        "scheduled_for": "2026-03-09T14:00:00+00:00",
    }
    response = await compliance.post(agency, referral, "appointments", body)
    assert response.status_code == 200, response.text


async def complete_referral(compliance, agency: str, referral) -> None:
    assert (await compliance.post(agency, referral, "accept")).status_code == 200
    await schedule(compliance, agency, referral, APPOINTMENT)
    response = await compliance.post(agency, referral, f"appointments/{APPOINTMENT}/attended", {})
    assert response.status_code == 200, response.text
    await compliance.report_the_work(agency, referral)
    response = await compliance.post(agency, referral, "completion", {})
    assert response.status_code == 200, response.text


async def miss(compliance, referral, appointment: str, acceptable: bool = False):
    return await compliance.post(
        TREATMENT, referral, f"appointments/{appointment}/missed", {"absence_acceptable": acceptable}
    )


async def test_every_condition_met_and_referral_completed_completes_the_case(compliance):
    case = await compliance.open_case()

    await complete_referral(compliance, "brighter-tomorrows", case.referrals["brighter-tomorrows"])
    assert ("case", "completed") not in await compliance.changes(case.case_id)
    await complete_referral(compliance, TREATMENT, case.referrals[TREATMENT])

    changes = await compliance.changes(case.case_id)
    assert changes[-4:] == [
        ("referral", "in_progress"),
        ("referral", "completed"),
        ("condition", "met"),
        ("case", "completed"),
    ]
    outcomes = await compliance.outcomes(case.case_id)
    assert {p.condition_id for t, p in outcomes if t == "condition.changed"} == set(case.conditions)
    completed = outcomes[-1][1]
    assert completed.police_reference.startswith("13YE") and completed.disposal_type == "adult_conditional_caution"
    assert [
        p.sequence for t, p in outcomes if t == "referral.changed" and p.referral_id == case.referrals[TREATMENT]
    ] == [
        1,
        2,
        3,
        4,
    ], "issued, accepted, in progress, completed: each change counted"


async def test_unacceptable_absences_from_scheduled_appointments_breach_a_caution_for_a_prosecution_decision(
    compliance,
):
    case = await compliance.open_case()
    referral = case.referrals[TREATMENT]
    for appointment in (APPOINTMENT, EXCUSED, SECOND_APPOINTMENT):
        await schedule(compliance, TREATMENT, referral, appointment)

    unscheduled = await miss(compliance, referral, "0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e00")
    first = await miss(compliance, referral, APPOINTMENT)
    excused = await miss(compliance, referral, EXCUSED, acceptable=True)
    same_again = await miss(compliance, referral, APPOINTMENT)
    second = await miss(compliance, referral, SECOND_APPOINTMENT)

    assert (
        unscheduled.status_code == 409 and "no appointment with this id was scheduled" in unscheduled.json()["message"]
    )
    assert first.json()["status"] == excused.json()["status"] == "in_progress"
    assert same_again.json()["applied"] is False, "one absence reported twice counts once"
    assert second.json() == {**second.json(), "status": "breached", "case_status": "awaiting_police_decision"}
    changes = await compliance.changes(case.case_id)
    assert changes[-3:] == [("referral", "breached"), ("condition", "breached"), ("case", "awaiting_police_decision")]
    breached = (await compliance.outcomes(case.case_id))[-1][1]
    assert (breached.reason, breached.next_step) == ("missed_appointment", "prosecution_decision")


async def test_a_community_resolution_is_never_breached_only_not_completed(compliance):
    case = await compliance.open_case(disposal="community_resolution", conditions=[])

    await compliance.post("brighter-tomorrows", case.referrals["brighter-tomorrows"], "accept")
    response = await compliance.post("brighter-tomorrows", case.referrals["brighter-tomorrows"], "disengagement")

    assert response.json()["case_status"] == "not_completed"
    changes = await compliance.changes(case.case_id)
    assert changes[-3:] == [("referral", "breached"), ("case", "not_completed"), ("referral", "cancelled")], (
        "the other agency's referral is cancelled when the case ends"
    )
    assert (await compliance.outcomes(case.case_id))[-2][1].reason == "disengaged"


async def test_a_deadline_passes_at_the_end_of_its_day_in_england_and_wales(compliance):
    case = await compliance.open_case(complete_by=date(2026, 6, 22))
    context = compliance.app.state.context
    for agency, referral in case.referrals.items():
        await compliance.post(agency, referral, "accept")

    compliance.clock.advance(days=112, hours=13, minutes=59)  # 22:59 UTC: 23:59 BST on the deadline day
    assert await sweep_once(compliance.pool, context) == 0
    compliance.clock.advance(minutes=2)  # 00:01 BST the next day
    assert await sweep_once(compliance.pool, context) == 1
    assert await sweep_once(compliance.pool, context) == 0, "a case is judged once"

    changes = await compliance.changes(case.case_id)
    assert changes[-1] == ("case", "awaiting_police_decision")
    assert (await compliance.outcomes(case.case_id))[-1][1].reason == "deadline_passed"


async def test_a_required_referral_that_never_found_a_place_makes_the_case_unable_to_comply_not_breached(compliance):
    case = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]}, send_referrals=False)
    await compliance.send(
        REFERRALS.name,
        ReferralQueued(
            case_id=case.case_id,
            referral_id=case.referrals[TREATMENT],
            agency_id=TREATMENT,
            needs=[{"category": "alcohol_misuse", "severity": "medium"}],
            delivery_mode="face_to_face",
            explanation="full: waits for a place",
        ),
    )

    compliance.clock.advance(days=113)
    assert await sweep_once(compliance.pool, compliance.app.state.context) == 1

    assert await compliance.changes(case.case_id) == [("referral", "queued"), ("case", "awaiting_police_decision")]
    flagged = (await compliance.outcomes(case.case_id))[-1][1]
    assert (flagged.reason, flagged.next_step) == ("no_place_available", None)
    row = await compliance.pool.fetchrow("SELECT status FROM conditions WHERE case_id = $1", case.case_id)
    assert row["status"] == "open", "the condition is not breached: nobody could deliver it"


async def test_an_unanswered_referral_times_out_after_its_service_level(compliance):
    case = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]})

    compliance.clock.advance(days=7)  # respond_by was 2026-03-09 09:00
    assert await sweep_once(compliance.pool, compliance.app.state.context) == 0
    compliance.clock.advance(seconds=1)
    assert await sweep_once(compliance.pool, compliance.app.state.context) == 1

    assert (await compliance.changes(case.case_id))[-1] == ("referral", "timed_out")
    late = await compliance.post(TREATMENT, case.referrals[TREATMENT], "accept")
    assert late.status_code == 409 and "timed out" in late.json()["message"]


async def test_an_extended_deadline_is_respected(compliance):
    case = await compliance.open_case(complete_by=date(2026, 6, 22), referrals={TREATMENT: ["alcohol_misuse"]})
    await compliance.post(TREATMENT, case.referrals[TREATMENT], "accept")
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
    assert ("case", "awaiting_police_decision") not in await compliance.changes(case.case_id)
    compliance.clock.advance(days=21)  # 2026-07-21: the extended deadline has passed
    assert await sweep_once(compliance.pool, compliance.app.state.context) == 1


async def test_after_a_reasonable_excuse_the_case_is_tracked_again_and_can_complete(compliance):
    case = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]})
    referral = case.referrals[TREATMENT]
    for appointment in (APPOINTMENT, SECOND_APPOINTMENT):
        await schedule(compliance, TREATMENT, referral, appointment)
        await miss(compliance, referral, appointment)
    breach_sequence = await compliance.pool.fetchval("SELECT sequence FROM cases WHERE case_id = $1", case.case_id)

    await compliance.send(
        CASES.name,
        BreachDecisionRecorded(
            case_id=case.case_id,
            decision="reasonable_excuse",
            officer="PC1234",
            decided_at="2026-03-02T10:00:00+00:00",
            reason="In hospital on both days.",
            breach_sequence=breach_sequence,
            complete_by=date(2026, 7, 20),
        ),
    )
    changes = await compliance.changes(case.case_id)
    assert changes[-3:] == [("condition", "open"), ("referral", "in_progress"), ("case", "open")]
    await compliance.report_the_work(TREATMENT, referral)
    await compliance.post(TREATMENT, referral, "completion", DONE)

    assert (await compliance.changes(case.case_id))[-1] == ("case", "completed")
    decisions = await compliance.pool.fetch("SELECT decision, breach_reason, applied FROM police_decisions")
    assert [tuple(d) for d in decisions] == [("reasonable_excuse", "missed_appointment", True)]


async def test_compensation_paid_in_instalments_completes_the_condition(compliance):
    compensation = {
        "kind": "compensation",
        "description": "Pay the victim for the damage",
        "evidence": "payment",
        "reported_by": "victim_contact",
        "amount_pence": 10_000,
    }
    case = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]}, conditions=[compensation])
    await complete_referral(compliance, TREATMENT, case.referrals[TREATMENT])
    assert ("case", "completed") not in await compliance.changes(case.case_id)

    for pence in (4_000, 6_000):
        await compliance.send(
            CASES.name,
            ConditionProgressReported(
                case_id=case.case_id,
                condition_id=case.conditions[0],
                reported_by="victim_contact",
                report="payment_received",
                amount_pence=pence,
                occurred_at="2026-03-02T09:00:00+00:00",
            ),
        )

    outcomes = await compliance.outcomes(case.case_id)
    paid = [(p.status, p.amount_paid_pence) for t, p in outcomes if t == "condition.changed"]
    assert paid == [("open", 4_000), ("met", 10_000)]
    assert outcomes[-1][1].status == "completed"


async def test_a_withdrawal_ends_the_case_only_while_it_is_tracked(compliance):
    withdrawn = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]})
    completed = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]})
    await complete_referral(compliance, TREATMENT, completed.referrals[TREATMENT])

    for case in (withdrawn, completed):
        await compliance.send(
            CASES.name,
            CaseWithdrawn(case_id=case.case_id, reason="entered_in_error", withdrawn_at="2026-03-02T09:00:00+00:00"),
        )

    assert (await compliance.changes(withdrawn.case_id))[-3:] == [
        ("case", "withdrawn"),
        ("referral", "cancelled"),
        ("condition", "cancelled"),
    ]
    assert (await compliance.changes(completed.case_id))[-1] == ("case", "completed"), "a concluded case stays so"


async def test_illegal_transitions_are_refused_and_a_breach_is_never_undone_by_an_agency(compliance):
    case = await compliance.open_case()
    women = case.referrals["brighter-tomorrows"]
    await complete_referral(compliance, "brighter-tomorrows", women)

    refused = await compliance.post("brighter-tomorrows", women, "decline", {"reason": "no_capacity"})
    late = await compliance.post("brighter-tomorrows", women, f"appointments/{APPOINTMENT}/attended")
    future = await compliance.post("brighter-tomorrows", women, "accept", {"occurred_at": "2027-01-01T00:00:00+00:00"})

    assert refused.status_code == 409 and refused.json()["error"] == "illegal_transition"
    assert late.status_code == 200 and late.json()["applied"] is False and late.json()["status"] == "completed"
    assert future.status_code == 422 and future.json()["fields"][0]["field"] == "occurred_at"

    treatment = case.referrals[TREATMENT]
    await compliance.post(TREATMENT, treatment, "disengagement")
    after_breach = await compliance.post(TREATMENT, treatment, "completion", DONE)
    assert after_breach.json()["applied"] is False and after_breach.json()["status"] == "breached"
    detail = (
        await compliance.http.get(
            f"/v1/referrals/{treatment}",
            params={"purpose": "reporting_progress"},
            headers=compliance.as_agency(TREATMENT),
        )
    ).json()
    assert [(u["update_type"], u["applied"]) for u in detail["updates"]] == [("disengage", True), ("complete", False)]


async def test_reports_give_rates_by_disposal_and_reoffending_over_the_mature_cohort(compliance):
    from schemas.events import ReoffendingSignal
    from schemas.topics import POLICE_SIGNALS

    completed = await compliance.open_case(subject_ref="subj-aaaaaaaaaa", referrals={TREATMENT: ["alcohol_misuse"]})
    breached = await compliance.open_case(subject_ref="subj-bbbbbbbbbb", referrals={TREATMENT: ["alcohol_misuse"]})
    await complete_referral(compliance, TREATMENT, completed.referrals[TREATMENT])
    await compliance.post(TREATMENT, breached.referrals[TREATMENT], "disengagement")
    compliance.clock.advance(days=2 * 365 + 5)  # both followed for their whole 24 months
    today = compliance.clock.now()
    recent = await compliance.open_case(
        subject_ref="subj-cccccccccc",
        referrals={TREATMENT: ["alcohol_misuse"]},
        decided_at=(today - timedelta(days=30)).isoformat(),
        complete_by=(today + timedelta(weeks=12)).date(),
    )

    def named(case, subject: str, on: date) -> ReoffendingSignal:
        return ReoffendingSignal(
            case_id=case.case_id, force_id=FORCE, subject_ref=subject, named_on=on, domestic_abuse=False
        )

    await compliance.send(
        POLICE_SIGNALS.named(FORCE),
        named(breached, "subj-bbbbbbbbbb", date(2027, 1, 5)),
        named(recent, "subj-cccccccccc", today.date()),  # named again, but not followed for 24 months yet
    )
    as_ops = {"X-API-Key": compliance.keys["ops"]}

    by_disposal = (await compliance.http.get("/v1/reports/compliance", headers=as_ops)).json()
    by_agency = (await compliance.http.get("/v1/reports/compliance?by=agency", headers=as_ops)).json()
    reoffending = (await compliance.http.get("/v1/reports/reoffending?by=programme", headers=as_ops)).json()
    awaiting = (await compliance.http.get("/v1/reports/breaches", headers=as_ops)).json()
    conditions = (await compliance.http.get("/v1/reports/conditions", headers=as_ops)).json()

    assert by_disposal == [
        {
            "group": "adult_conditional_caution",
            "completed": 1,
            "breached": 1,
            "not_completed": 0,
            "no_place_available": 0,
            "open": 1,
            "withdrawn": 0,
            "concluded": 2,
            "rate": 0.5,
        }
    ]
    assert by_agency[0]["group"] == TREATMENT and by_agency[0]["rate"] == 0.5
    assert reoffending == [
        {"group": TREATMENT, "cohort": 2, "named_within_24_months": 1, "rate": 0.5, "not_yet_mature": 1}
    ], "only the people followed for 24 months count; the third is counted apart"
    assert [(a["case_id"], a["reason"], a["breach_sequence"]) for a in awaiting] == [
        (str(breached.case_id), "disengaged", 1)
    ]
    assert conditions == [{"kind": "rehabilitative", "open": 1, "met": 1, "breached": 1, "varied": 0, "cancelled": 0}]


async def test_a_signal_dated_in_the_future_or_before_the_diversion_is_refused(compliance):
    from schemas.events import ReoffendingSignal
    from schemas.topics import DEAD_LETTERS, POLICE_SIGNALS

    case = await compliance.open_case(subject_ref="subj-dddddddddd", referrals={TREATMENT: ["alcohol_misuse"]})
    signal = ReoffendingSignal(
        case_id=case.case_id,
        force_id=FORCE,
        subject_ref="subj-dddddddddd",
        named_on=date(2026, 3, 1),
        domestic_abuse=False,
    )

    await compliance.send(
        POLICE_SIGNALS.named(FORCE),
        signal,  # the day before the diversion
        signal.model_copy(update={"named_on": date(2031, 1, 1)}),  # in the future
        signal.model_copy(update={"named_on": date(2026, 3, 2)}),  # the day of the diversion: not after it
    )

    letters = await read_topic(compliance.kafka, compliance.settings.topic(DEAD_LETTERS.name), at_least=3)
    reasons = sorted(dict(letter.headers)["dlq_reason"].decode() for letter in letters)
    assert reasons == [
        "ImplausibleTime: named on 2026-03-01, not after the person's diversion (2026-03-02)",
        "ImplausibleTime: named on 2026-03-02, not after the person's diversion (2026-03-02)",
        "ImplausibleTime: named on 2031-01-01, after today (2026-03-02)",
    ]
    assert await compliance.pool.fetchval("SELECT count(*) FROM reoffending_signals") == 0


async def test_an_early_condition_deadline_whose_delivery_never_started_waits_for_the_cases(compliance):
    """Judged at the case's deadline, not swept again and again before it (the sweep selects only what it
    can judge)."""
    early = {
        "kind": "rehabilitative",
        "description": "Alcohol course",
        "evidence": "completion",
        "reported_by": "agency",
        "addresses_need": "alcohol_misuse",
        "complete_by": "2026-04-01",
    }
    case = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]}, conditions=[early])

    compliance.clock.advance(days=40)  # past the condition's deadline; the referral was never accepted
    assert await sweep_once(compliance.pool, compliance.app.state.context) == 1, "the referral timed out, nothing else"
    assert await sweep_once(compliance.pool, compliance.app.state.context) == 0
    assert (await compliance.changes(case.case_id))[-1] == ("referral", "timed_out")
