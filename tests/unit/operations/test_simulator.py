"""The demo's month of decisions and its agencies' behaviour: seeded, eligible, calibrated."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from rich.progress import Progress

from platform_plumbing.clock import AcceleratedClock
from schemas.commands import DiversionDecision
from services.intake.domain.eligibility import assess
from services.intake.domain.policy import Policies
from services.intake.settings import IntakeSettings
from services.operations.simulator import population
from services.operations.simulator.__main__ import Month, RefusedByIntake, _submit
from services.operations.simulator.agencies import RETURNED, next_step
from services.operations.simulator.population import (
    Fate,
    completion_chance,
    month_of_decisions,
    reoffending_chance,
    risk_of,
)

START = datetime(2026, 1, 5, tzinfo=UTC)


def test_the_same_seed_gives_the_same_month():
    assert month_of_decisions(7, 50, START, 100) == month_of_decisions(7, 50, START, 100)
    assert month_of_decisions(7, 50, START, 100) != month_of_decisions(8, 50, START, 100)


def test_every_decision_is_valid_and_eligible_under_cambridgeshires_policy():
    policy = Policies.load(IntakeSettings().intake_policy_files).of("cambridgeshire")
    for _, case in month_of_decisions(3, 350, START, 100):
        decision = DiversionDecision.model_validate({**case.decision, "decided_at": START.isoformat()})
        verdict = assess(decision, policy, now=START)
        assert verdict.eligible, (case.decision["police_reference"], verdict.failed)


def test_completion_follows_the_persons_risk_and_what_the_disposal_puts_at_stake():
    low, high = risk_of(34, 0, 0, 1, ["housing"]), risk_of(19, 3, 1, 3, ["drug_misuse", "alcohol_misuse"])

    assert high > low
    for disposal in ("community_resolution", "youth_conditional_caution", "adult_conditional_caution"):
        assert completion_chance(disposal, high) < completion_chance(disposal, low)
    assert completion_chance("community_resolution", low) < completion_chance("adult_conditional_caution", low)


def test_being_named_again_follows_the_risk_and_how_the_case_ended_not_a_rate_set_to_the_source():
    risk = risk_of(25, 1, 0, 2, ["alcohol_misuse"])

    assert reoffending_chance(risk, completed=False) > reoffending_chance(risk, completed=True)
    assert reoffending_chance(risk + 1, completed=True) > reoffending_chance(risk, completed=True)
    planned = next(case for _, case in month_of_decisions(5, 200, START, 100) if case.reoffending_draw > 0.5)
    assert planned.named_after(completed=True) is None or planned.named_after(completed=False) is not None
    source = "0.093"
    assert source not in Path(population.__file__).read_text(), "the source's DA figure is never an input"


def test_the_same_person_completing_is_named_again_no_more_often_than_not_completing():
    cases = [case for _, case in month_of_decisions(7, 3000, START, 100)]
    named = {completed: sum(case.named_after(completed) is not None for case in cases) for completed in (True, False)}

    assert named[True] < named[False]


def test_the_mix_has_domestic_abuse_and_brighter_tomorrows_cases():
    cases = [case for _, case in month_of_decisions(5, 350, START, 100)]
    needs = Counter(need["category"] for case in cases for need in case.decision["needs"])
    assert needs["da_perpetrator_programme"] >= 5 and needs["women_specific_support"] >= 5
    assert all(
        case.decision["domestic_abuse"]["dash_risk"] != "high" for case in cases if "domestic_abuse" in case.decision
    )


WORKED = {"accept", "caseworker", "first-contact"}
COMPLETING = WORKED | {"assessment", "action-plan", "schedule:1", "concern", "attended:1", "session:1"}
REFERRAL = {"referral_id": "referral-1", "agency_id": "brighter-tomorrows", "needs": ["women_specific_support"]}
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fate", "done", "days", "expected"),
    [
        (Fate.COMPLETES, set(), 0.5, None),
        (Fate.COMPLETES, set(), 1, "accept"),
        (Fate.COMPLETES, {"accept", "caseworker"}, 2, "first-contact"),
        (Fate.COMPLETES, WORKED, 3, "assessment"),
        (Fate.COMPLETES, WORKED | {"assessment", "action-plan"}, 5, "schedule:1"),
        (Fate.COMPLETES, COMPLETING, 34, None),
        (Fate.COMPLETES, COMPLETING, 35, "end-of-service-report"),
        (Fate.COMPLETES, COMPLETING | {"end-of-service-report"}, 40, "completion"),
        (Fate.COMPLETES, WORKED | {"assessment", "action-plan", RETURNED}, 5, "action-plan:2"),
        (Fate.MISSES_APPOINTMENTS, WORKED | {"schedule:1"}, 10, "missed:1"),
        (Fate.MISSES_APPOINTMENTS, WORKED | {"schedule:1", "missed:1"}, 15, "schedule:2"),
        (Fate.DISENGAGES, WORKED, 15, "disengagement"),
        (Fate.DISENGAGES, WORKED | {"disengagement"}, 60, None),
        (Fate.DEFAULTS_ON_PAYMENT, COMPLETING | {"end-of-service-report"}, 40, "completion"),
    ],
)
def test_agencies_work_as_the_case_is_going_to_go(fate, done, days, expected):
    step = next_step(fate, done, timedelta(days=days), REFERRAL, NOW)
    assert (step[0] if step else None) == expected


def test_an_onward_referral_is_worked_to_completion_whatever_the_fate():
    onward = REFERRAL | {"onward_from": "referral-0", "agency_id": "victim-support"}
    steps, done = [], set()
    for day in range(0, 20):
        step = next_step(Fate.DISENGAGES, done, timedelta(days=day), onward, NOW)
        if step:
            steps.append(step[0])
            done.add(step[0])
    assert steps == [
        *sorted(WORKED, key=["accept", "caseworker", "first-contact"].index),
        "action-plan",
        "end-of-service-report",
        "completion",
    ]


def test_the_report_answers_every_goal_of_the_plan_the_team_approved():
    plan = next_step(Fate.COMPLETES, WORKED | {"assessment", RETURNED}, timedelta(days=5), REFERRAL, NOW)
    done = COMPLETING | {RETURNED, "action-plan:2"}
    report = next_step(Fate.COMPLETES, done, timedelta(days=35), REFERRAL, NOW)

    assert plan[0] == "action-plan:2" and len(plan[2]["goals"]) == 2
    assert [(g["need"], g["goal"]) for g in report[2]["goals"]] == [(g["need"], g["goal"]) for g in plan[2]["goals"]]


def test_an_absence_is_reported_only_for_an_appointment_scheduled_before_it():
    steps, done = [], set()
    for day in range(0, 30):
        step = next_step(Fate.MISSES_APPOINTMENTS, done, timedelta(days=day), REFERRAL, NOW)
        if step:
            steps.append(step)
            done.add(step[0])
    paths = [path for _, path, _ in steps]
    scheduled = [body["appointment_id"] for name, _, body in steps if name.startswith("schedule")]
    missed = [path.split("/")[1] for path in paths if path.endswith("/missed")]
    assert missed == scheduled and len(set(missed)) == 2, "two different appointments, each scheduled first"


def test_cautions_carry_conditions_the_policy_allows_and_the_mix_has_every_kind():
    cases = [case for _, case in month_of_decisions(5, 1000, START, 100)]
    kinds = Counter(c["kind"] for case in cases for c in case.decision["conditions"])
    assert set(kinds) == {"rehabilitative", "reparative", "compensation", "punitive", "restrictive"}
    assert all(
        case.decision["conditions"] for case in cases if case.decision["disposal_type"] != "community_resolution"
    )


def test_compensation_is_reported_in_instalments_by_the_victim_contact_role_and_a_defaulter_stops_paying():
    import random

    from services.operations.simulator.police import PoliceCase, plan_reports

    planned = next(
        case
        for _, case in month_of_decisions(5, 1000, START, 100)
        if case.fate == Fate.DEFAULTS_ON_PAYMENT
        and any(c["kind"] == "compensation" for c in case.decision["conditions"])
    )
    police = PoliceCase(
        "35DM0000001", "case-1", "subject-1", START, planned, ["c"] * len(planned.decision["conditions"])
    )
    plan_reports(police, random.Random(1))
    position = next(n for n, c in enumerate(planned.decision["conditions"]) if c["kind"] == "compensation")
    payments = [r for r in police.reports if r.position == position]
    owed = planned.decision["conditions"][position]["amount_pence"]
    assert all(r.role == "victim_contact" for r in payments)
    assert sum(r.body["amount_pence"] for r in payments) < owed, "the defaulter never pays it all"


async def test_a_decision_intake_will_not_take_at_all_stops_the_demo_saying_why():
    """A month of 403s (a development key for another force, once) must not pass for a month with no cases."""

    def intake(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            403, json={"error": "wrong_force", "message": "a police client may act only for its own force"}
        )

    clock = AcceleratedClock(datetime.now(UTC), 1_000_000)
    plan = month_of_decisions(5, 3, START, 0)
    month = Month()
    async with httpx.AsyncClient(transport=httpx.MockTransport(intake), base_url="http://intake") as police:
        with pytest.raises(RefusedByIntake, match="403 .*wrong_force"):
            await _submit(police, plan, clock, month, None, Progress(), 0)
    assert month.submitted == 0
