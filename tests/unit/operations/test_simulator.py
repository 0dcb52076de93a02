"""The demo's month of decisions and its agencies' behaviour: seeded, eligible, calibrated."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from schemas.commands import DiversionDecision
from services.intake.domain.eligibility import assess
from services.intake.domain.policy import load_policy
from services.intake.settings import IntakeSettings
from services.operations.simulator.agencies import next_step
from services.operations.simulator.population import Fate, month_of_decisions

START = datetime(2026, 1, 5, tzinfo=UTC)


def test_the_same_seed_gives_the_same_month():
    assert month_of_decisions(7, 50, START, 100) == month_of_decisions(7, 50, START, 100)
    assert month_of_decisions(7, 50, START, 100) != month_of_decisions(8, 50, START, 100)


def test_every_decision_is_valid_and_eligible_under_the_force_policy():
    policy = load_policy(IntakeSettings().intake_policy_file)
    for _, case in month_of_decisions(3, 350, START, 100):
        decision = DiversionDecision.model_validate({**case.decision, "decided_at": START.isoformat()})
        assert assess(decision, policy).eligible, case.decision["police_reference"]


@pytest.mark.parametrize(("disposal", "target"), [("adult_conditional_caution", 0.93), ("community_resolution", 0.73)])
def test_fates_are_calibrated_to_the_source_force(disposal, target):
    fates = Counter(
        case.fate for _, case in month_of_decisions(11, 5000, START, 100) if case.decision["disposal_type"] == disposal
    )
    share = fates[Fate.COMPLETES] / sum(fates.values())
    assert abs(share - target) < 0.03


def test_the_mix_has_domestic_abuse_and_womens_programme_cases():
    cases = [case for _, case in month_of_decisions(5, 350, START, 100)]
    needs = Counter(need["category"] for case in cases for need in case.decision["needs"])
    assert needs["da_perpetrator_programme"] >= 5 and needs["women_specific_support"] >= 5
    assert all(
        case.decision["domestic_abuse"]["dash_risk"] != "high" for case in cases if "domestic_abuse" in case.decision
    )


@pytest.mark.parametrize(
    ("fate", "status", "days", "expected"),
    [
        (Fate.COMPLETES, "issued", 1, None),
        (Fate.COMPLETES, "issued", 2, "accept"),
        (Fate.COMPLETES, "accepted", 10, "attended"),
        (Fate.COMPLETES, "in_progress", 39, None),
        (Fate.COMPLETES, "in_progress", 40, "completion"),
        (Fate.MISSES_APPOINTMENTS, "accepted", 10, "missed"),
        (Fate.MISSES_APPOINTMENTS, "in_progress", 20, "missed"),
        (Fate.DISENGAGES, "accepted", 15, "disengagement"),
        (Fate.DISENGAGES, "in_progress", 60, None),
    ],
)
def test_agencies_answer_as_the_case_is_going_to_go(fate, status, days, expected):
    step = next_step(fate, status, timedelta(days=days), "referral-1")
    assert (step[0].split("/")[-1] if step else None) == expected


def test_the_two_missed_appointments_are_different_appointments():
    first = next_step(Fate.MISSES_APPOINTMENTS, "accepted", timedelta(days=10), "r")
    second = next_step(Fate.MISSES_APPOINTMENTS, "in_progress", timedelta(days=20), "r")
    assert first[0] != second[0]
