"""Every rule of the force's policy at its boundaries, each answering once with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest import param

from schemas.commands import DiversionDecision
from schemas.vocabulary import DisposalType
from services.intake.domain.eligibility import RuleResult, assess
from services.intake.domain.policy import Policy, load_policy
from tests.factories import example, payload

POLICY_FILE = Path(__file__).resolve().parents[3] / "deploy" / "policy" / "force-policy.yaml"
POLICY = load_policy(POLICY_FILE)
BASE = payload(DiversionDecision)

CR = DisposalType.COMMUNITY_RESOLUTION
ADULT_CC = DisposalType.ADULT_CONDITIONAL_CAUTION
YOUTH_CC = DisposalType.YOUTH_CONDITIONAL_CAUTION
DIVERSIONARY = DisposalType.DIVERSIONARY_CAUTION
COMMUNITY_CAUTION = DisposalType.COMMUNITY_CAUTION
TWO_TIER = [DIVERSIONARY, COMMUNITY_CAUTION]

RULES = [
    "disposal_available",
    "age_band",
    "appropriate_adult",
    "admission",
    "sufficient_evidence",
    "consent",
    "victim_views",
    "gravity",
    "previous_convictions",
    "previous_cautions",
    "da_risk",
    "da_coercive_control",
    "da_history",
    "da_victim_agreement",
    "da_intimate_partner_disposal",
    "conditions_required",
    "condition_kinds",
    "attendance_hours",
    "financial_penalty",
    "condition_reporter",
    "condition_deadlines",
]
SAFE_DA_SCREEN = {
    "intimate_partner": True,
    "dash_risk": "standard",
    "coercive_controlling": False,
    "victim_contacted_and_agrees": True,
}


def offence(**changes: Any) -> dict[str, Any]:
    return {**BASE["offence"], **changes}


def history(**changes: Any) -> dict[str, Any]:
    return {**BASE["criminal_history"], **changes}


def da_screen(**changes: Any) -> dict[str, Any]:
    return {**SAFE_DA_SCREEN, **changes}


def condition(kind: str, *, hours: int | None = None, pence: int | None = None, **more: Any) -> dict[str, Any]:
    """A condition of `kind`: paid when `pence`, worked or attended when `hours`, reported by the officer
    (a rehabilitative one by the agency delivering alcohol work)."""
    if kind == "rehabilitative":
        base = {"evidence": "completion", "reported_by": "agency", "addresses_need": "alcohol_misuse"}
    elif kind == "restrictive":
        base = {"evidence": "no_violation", "reported_by": "officer"}
    else:
        evidence = "payment" if pence else "hours_worked" if hours else "letter_sent"
        base = {"evidence": evidence, "reported_by": "officer"}
    return {"kind": kind, "description": "A condition.", "hours": hours, "amount_pence": pence, **base, **more}


EVERYTHING_WRONG = {
    "disposal_type": YOUTH_CC,
    "age_at_offence": 16,
    "admission": False,
    "sufficient_evidence": False,
    "consent": False,
    "victim_views": "not_sought",
    "offence": offence(category="violence_against_the_person", gravity_score=4),
    "criminal_history": history(
        previous_convictions=4, previous_cautions=4, domestic_abuse_conviction_or_caution_within_2_years=True
    ),
    "domestic_abuse": da_screen(dash_risk="high", coercive_controlling=True, victim_contacted_and_agrees=False),
    "conditions": [
        condition("punitive", hours=21),
        condition("punitive", pence=5000),
        condition("restrictive", reported_by="victim_contact", complete_by="2030-01-01"),
    ],
}


def outcome(rule: str, policy: Policy = POLICY, **overrides: Any) -> RuleResult:
    verdict = assess(example(DiversionDecision, **overrides), policy)
    return next(result for result in verdict.results if result.rule == rule)


def two_tier_switched_on() -> Policy:
    raw = yaml.safe_load(POLICY_FILE.read_text())
    for disposal in TWO_TIER:
        raw["disposals"][disposal]["enabled"] = True
    return Policy.model_validate(raw)


def test_the_example_decision_is_eligible() -> None:
    verdict = assess(example(DiversionDecision), POLICY)

    assert verdict.eligible
    assert verdict.failed == ()


@pytest.mark.parametrize(
    ("disposal", "age", "passed"),
    [
        param(ADULT_CC, 17, False, id="adult CC at 17"),
        param(ADULT_CC, 18, True, id="adult CC at 18"),
        param(YOUTH_CC, 10, True, id="youth CC at 10"),
        param(YOUTH_CC, 17, True, id="youth CC at 17"),
        param(YOUTH_CC, 18, False, id="youth CC at 18"),
        param(CR, 10, True, id="CR at 10"),
    ],
)
def test_age_band(disposal: DisposalType, age: int, passed: bool) -> None:
    assert outcome("age_band", disposal_type=disposal, age_at_offence=age).passed is passed


@pytest.mark.parametrize(
    ("age", "present", "passed"),
    [
        param(16, False, False, id="16 without one"),
        param(16, True, True, id="16 with one"),
        param(17, False, True, id="17 without one, not required"),
    ],
)
def test_youth_caution_needs_an_appropriate_adult_at_16_or_under(age: int, present: bool, passed: bool) -> None:
    result = outcome("appropriate_adult", disposal_type=YOUTH_CC, age_at_offence=age, appropriate_adult_present=present)

    assert result.passed is passed


@pytest.mark.parametrize(
    ("disposal", "requirement", "passed"),
    [
        param(ADULT_CC, "admission", False, id="adult CC without admission"),
        param(YOUTH_CC, "admission", False, id="youth CC without admission"),
        param(CR, "admission", False, id="CR without admission"),
        param(ADULT_CC, "sufficient_evidence", False, id="adult CC without evidence"),
        param(CR, "sufficient_evidence", True, id="CR without evidence"),
        param(ADULT_CC, "consent", False, id="adult CC without consent"),
        param(CR, "consent", True, id="CR without consent"),
    ],
)
def test_a_missing_requirement_fails_only_where_policy_requires_it(
    disposal: DisposalType, requirement: str, passed: bool
) -> None:
    assert outcome(requirement, disposal_type=disposal, **{requirement: False}).passed is passed


@pytest.mark.parametrize(
    ("disposal", "views", "passed"),
    [
        param(ADULT_CC, "sought", True, id="adult CC, sought"),
        param(ADULT_CC, "not_sought", False, id="adult CC, not sought"),
        param(ADULT_CC, "no_identifiable_victim", True, id="adult CC, no victim"),
        param(CR, "not_sought", False, id="CR, not sought"),
        param(CR, "no_identifiable_victim", True, id="CR, no victim"),
    ],
)
def test_victim_views(disposal: DisposalType, views: str, passed: bool) -> None:
    assert outcome("victim_views", disposal_type=disposal, victim_views=views).passed is passed


@pytest.mark.parametrize(
    ("disposal", "score", "flags", "adjusted", "passed"),
    [
        param(ADULT_CC, 3, {}, 3, True, id="CC 3 at the limit"),
        param(ADULT_CC, 4, {}, 4, False, id="CC 4 over the limit"),
        param(ADULT_CC, 3, {"aggravating": True}, 4, False, id="CC 3 aggravated to 4"),
        param(ADULT_CC, 4, {"mitigating": True}, 3, True, id="CC 4 mitigated to 3"),
        param(ADULT_CC, 3, {"aggravating": True, "mitigating": True}, 3, True, id="CC 3 both flags cancel"),
        param(ADULT_CC, 1, {"mitigating": True}, 1, True, id="CC 1 mitigated clamps at 1"),
        param(ADULT_CC, 4, {"aggravating": True}, 4, False, id="CC 4 aggravated clamps at 4"),
        param(CR, 2, {"aggravating": True}, 3, True, id="CR 2 aggravated to 3"),
        param(COMMUNITY_CAUTION, 3, {}, 3, False, id="community caution 3 over its limit of 2"),
        param(DIVERSIONARY, 3, {"aggravating": True}, 4, True, id="diversionary caution 3 aggravated to 4"),
    ],
)
def test_gravity_with_adjustments(
    disposal: DisposalType, score: int, flags: dict[str, bool], adjusted: int, passed: bool
) -> None:
    decision = example(DiversionDecision, disposal_type=disposal, offence=offence(gravity_score=score, **flags))
    verdict = assess(decision, POLICY)

    assert verdict.adjusted_gravity == adjusted
    assert next(r for r in verdict.results if r.rule == "gravity").passed is passed


@pytest.mark.parametrize(
    ("disposal", "record", "count", "passed"),
    [
        param(CR, "previous_convictions", 2, True, id="CR 2 convictions"),
        param(CR, "previous_convictions", 3, False, id="CR 3 convictions"),
        param(CR, "previous_cautions", 3, True, id="CR 3 cautions"),
        param(CR, "previous_cautions", 4, False, id="CR 4 cautions"),
        param(ADULT_CC, "previous_convictions", 5, True, id="adult CC 5 convictions"),
        param(ADULT_CC, "previous_convictions", 6, False, id="adult CC 6 convictions"),
        param(ADULT_CC, "previous_cautions", 5, True, id="adult CC 5 cautions"),
        param(ADULT_CC, "previous_cautions", 6, False, id="adult CC 6 cautions"),
        param(YOUTH_CC, "previous_convictions", 3, True, id="youth CC 3 convictions"),
        param(YOUTH_CC, "previous_convictions", 4, False, id="youth CC 4 convictions"),
        param(YOUTH_CC, "previous_cautions", 3, True, id="youth CC 3 cautions"),
        param(YOUTH_CC, "previous_cautions", 4, False, id="youth CC 4 cautions"),
    ],
)
def test_criminal_history_limits(disposal: DisposalType, record: str, count: int, passed: bool) -> None:
    assert outcome(record, disposal_type=disposal, criminal_history=history(**{record: count})).passed is passed


@pytest.mark.parametrize(
    ("disposal", "conditions", "passed"),
    [
        param(ADULT_CC, [condition("punitive", hours=20)], True, id="punitive 20 h"),
        param(ADULT_CC, [condition("punitive", hours=21)], False, id="punitive 21 h"),
        param(
            ADULT_CC,
            [condition("reparative", hours=12), condition("punitive", hours=9)],
            False,
            id="reparative 12 h + punitive 9 h",
        ),
        param(
            ADULT_CC,
            [condition("rehabilitative", hours=40), condition("reparative", hours=20)],
            True,
            id="rehabilitative hours do not count",
        ),
        param(YOUTH_CC, [condition("reparative", hours=21)], False, id="youth CC reparative 21 h"),
        param(CR, [condition("punitive", hours=30)], True, id="CR has no limit"),
    ],
)
def test_non_rehabilitative_attendance_hours(disposal: DisposalType, conditions: list[dict], passed: bool) -> None:
    assert outcome("attendance_hours", disposal_type=disposal, conditions=conditions).passed is passed


@pytest.mark.parametrize(
    ("disposal", "category", "conditions", "passed"),
    [
        param(ADULT_CC, "theft", [condition("punitive", pence=5000)], True, id="adult CC fine for theft"),
        param(
            ADULT_CC,
            "violence_against_the_person",
            [condition("punitive", pence=5000)],
            False,
            id="adult CC fine for violence",
        ),
        param(ADULT_CC, "theft", [condition("punitive", pence=25_001)], False, id="adult CC fine above £250"),
        param(
            ADULT_CC,
            "violence_against_the_person",
            [condition("compensation", pence=50_000)],
            True,
            id="compensation to the victim is not a penalty",
        ),
        param(
            ADULT_CC,
            "violence_against_the_person",
            [condition("reparative")],
            True,
            id="adult CC violence without a fine",
        ),
    ],
)
def test_a_financial_penalty_only_for_prescribed_offences_and_within_its_maximum(
    disposal: DisposalType, category: str, conditions: list[dict], passed: bool
) -> None:
    result = outcome(
        "financial_penalty", disposal_type=disposal, offence=offence(category=category), conditions=conditions
    )

    assert result.passed is passed


@pytest.mark.parametrize(
    ("disposal", "conditions", "passed"),
    [
        param(ADULT_CC, [], False, id="a caution with no condition"),
        param(YOUTH_CC, [], False, id="a youth caution with no condition"),
        param(ADULT_CC, [condition("reparative")], True, id="a caution with one"),
        param(CR, [], True, id="a community resolution needs none"),
    ],
)
def test_a_caution_must_carry_a_condition(disposal: DisposalType, conditions: list[dict], passed: bool) -> None:
    result = outcome("conditions_required", disposal_type=disposal, conditions=conditions, age_at_offence=17)
    assert result.passed is passed


@pytest.mark.parametrize(
    ("disposal", "kind", "passed"),
    [
        param(ADULT_CC, "restrictive", True, id="adult CC may restrict"),
        param(YOUTH_CC, "punitive", False, id="youth CC may not punish"),
        param(CR, "punitive", False, id="CR may not punish"),
        param(CR, "restrictive", False, id="CR may not restrict"),
        param(CR, "compensation", True, id="CR may compensate"),
    ],
)
def test_each_disposal_allows_the_kinds_its_policy_lists(disposal: DisposalType, kind: str, passed: bool) -> None:
    conditions = [condition(kind, pence=1000) if kind in ("punitive", "compensation") else condition(kind)]
    result = outcome("condition_kinds", disposal_type=disposal, conditions=conditions, age_at_offence=17)
    assert result.passed is passed


@pytest.mark.parametrize(
    ("conditions", "passed"),
    [
        param([condition("compensation", pence=1000, reported_by="victim_contact")], True, id="compensation"),
        param([condition("reparative", reported_by="victim_contact")], True, id="reparation"),
        param([condition("punitive", hours=5, reported_by="victim_contact")], False, id="unpaid work"),
    ],
)
def test_the_victim_contact_role_reports_only_reparation_and_compensation(conditions: list, passed: bool) -> None:
    assert outcome("condition_reporter", conditions=conditions).passed is passed


@pytest.mark.parametrize(
    ("complete_by", "passed"),
    [
        param("2025-03-03", True, id="on the decision day"),
        param("2025-06-23", True, id="on the case's deadline"),
        param("2025-06-24", False, id="after the case's deadline"),
        param("2025-03-02", False, id="before the decision"),
    ],
)
def test_a_conditions_own_deadline_falls_within_the_cases(complete_by: str, passed: bool) -> None:
    conditions = [condition("reparative", complete_by=complete_by)]
    assert outcome("condition_deadlines", conditions=conditions).passed is passed


@pytest.mark.parametrize(
    ("rule", "disposal", "screen", "recent_da_history", "passed"),
    [
        param("da_risk", ADULT_CC, {"dash_risk": "standard"}, False, True, id="DASH standard"),
        param("da_risk", ADULT_CC, {"dash_risk": "medium"}, False, True, id="DASH medium"),
        param("da_risk", ADULT_CC, {"dash_risk": "high"}, False, False, id="DASH high"),
        param("da_coercive_control", ADULT_CC, {"coercive_controlling": True}, False, False, id="coercive control"),
        param("da_history", ADULT_CC, {}, True, False, id="DA record within 2 years"),
        param(
            "da_victim_agreement",
            ADULT_CC,
            {"victim_contacted_and_agrees": False},
            False,
            False,
            id="victim does not agree",
        ),
        param("da_intimate_partner_disposal", CR, {"intimate_partner": True}, False, False, id="intimate partner, CR"),
        param(
            "da_intimate_partner_disposal",
            ADULT_CC,
            {"intimate_partner": True},
            False,
            True,
            id="intimate partner, adult CC",
        ),
        param(
            "da_intimate_partner_disposal",
            YOUTH_CC,
            {"intimate_partner": True},
            False,
            False,
            id="intimate partner, youth CC",
        ),
        param(
            "da_intimate_partner_disposal", CR, {"intimate_partner": False}, False, True, id="not intimate partner, CR"
        ),
    ],
)
def test_domestic_abuse_gates(
    rule: str, disposal: DisposalType, screen: dict[str, Any], recent_da_history: bool, passed: bool
) -> None:
    result = outcome(
        rule,
        disposal_type=disposal,
        domestic_abuse=da_screen(**screen),
        criminal_history=history(domestic_abuse_conviction_or_caution_within_2_years=recent_da_history),
    )

    assert result.passed is passed


def test_a_safely_screened_intimate_partner_case_is_eligible_for_an_adult_caution() -> None:
    assert assess(example(DiversionDecision, domestic_abuse=SAFE_DA_SCREEN), POLICY).eligible


def test_domestic_abuse_gates_do_not_apply_without_a_domestic_abuse_screen() -> None:
    decision = example(
        DiversionDecision, criminal_history=history(domestic_abuse_conviction_or_caution_within_2_years=True)
    )
    gates = [result for result in assess(decision, POLICY).results if result.rule.startswith("da_")]

    assert {(result.passed, result.reason) for result in gates} == {(True, "not a domestic abuse case")}


@pytest.mark.parametrize(
    ("disposal", "age", "routed"),
    [
        param(YOUTH_CC, 15, True, id="youth CC"),
        param(CR, 15, True, id="youth CR"),
        param(CR, 17, True, id="CR at 17"),
        param(CR, 18, False, id="CR at 18"),
        param(ADULT_CC, 34, False, id="adult CC"),
        param(CR, 34, False, id="adult CR"),
    ],
)
def test_youth_cases_are_routed_to_the_youth_offending_team(disposal: DisposalType, age: int, routed: bool) -> None:
    decision = example(DiversionDecision, disposal_type=disposal, age_at_offence=age)

    assert assess(decision, POLICY).youth_offending_team is routed


@pytest.mark.parametrize("disposal", TWO_TIER)
def test_two_tier_disposals_are_unavailable_while_switched_off(disposal: DisposalType) -> None:
    verdict = assess(example(DiversionDecision, disposal_type=disposal), POLICY)

    assert [result.rule for result in verdict.failed] == ["disposal_available"]


@pytest.mark.parametrize("disposal", TWO_TIER)
def test_two_tier_disposals_are_available_once_switched_on(disposal: DisposalType) -> None:
    assert assess(example(DiversionDecision, disposal_type=disposal), two_tier_switched_on()).eligible


def test_a_decision_wrong_in_every_way_fails_every_rule_it_can() -> None:
    verdict = assess(example(DiversionDecision, **EVERYTHING_WRONG), POLICY)
    still_passing = {"disposal_available", "age_band", "conditions_required"}  # youth CC is on, 16 in its band

    assert sorted(result.rule for result in verdict.failed) == sorted(set(RULES) - still_passing)


@pytest.mark.parametrize(
    "overrides",
    [
        *(param({"disposal_type": disposal}, id=disposal) for disposal in DisposalType),
        param({"domestic_abuse": SAFE_DA_SCREEN}, id="domestic abuse"),
        param(EVERYTHING_WRONG, id="everything wrong"),
    ],
)
def test_every_rule_answers_exactly_once(overrides: dict[str, Any]) -> None:
    verdict = assess(example(DiversionDecision, **overrides), POLICY)

    assert sorted(result.rule for result in verdict.results) == sorted(RULES)


@pytest.mark.parametrize("overrides", [param({}, id="eligible"), param(EVERYTHING_WRONG, id="everything wrong")])
def test_reasons_never_repeat_personal_data(overrides: dict[str, Any]) -> None:
    personal = [*map(str, BASE["personal"].values()), BASE["police_reference"], BASE["subject_ref"]]
    reasons = " | ".join(result.reason for result in assess(example(DiversionDecision, **overrides), POLICY).results)

    assert not [value for value in personal if value.lower() in reasons.lower()]


@pytest.mark.parametrize(
    ("rule", "overrides", "reason"),
    [
        param(
            "disposal_available",
            {"disposal_type": DIVERSIONARY},
            "diversionary caution is not available under policy 2026.2",
            id="disposal unavailable",
        ),
        param(
            "age_band", {}, "age 34 is within the 18-and-over band for adult conditional caution", id="age, no maximum"
        ),
        param(
            "age_band",
            {"disposal_type": YOUTH_CC, "age_at_offence": 18},
            "age 18 is outside the 10–17 band for youth conditional caution",
            id="age, outside band",
        ),
        param(
            "admission",
            {"admission": False},
            "admission of responsibility required but not recorded",
            id="admission missing",
        ),
        param(
            "sufficient_evidence",
            {"disposal_type": CR, "sufficient_evidence": False},
            "sufficient evidence to charge not required for community resolution",
            id="evidence not required",
        ),
        param("victim_views", {}, "victim's views sought", id="views sought"),
        param(
            "victim_views",
            {"victim_views": "not_sought"},
            "victim's views required but not sought",
            id="views not sought",
        ),
        param("victim_views", {"victim_views": "no_identifiable_victim"}, "no identifiable victim", id="no victim"),
        param(
            "gravity",
            {"offence": offence(gravity_score=3, aggravating=True)},
            "gravity 3 adjusted to 4; adult conditional caution allows up to 3",
            id="gravity adjusted",
        ),
        param("previous_cautions", {}, "previous cautions: 1; limit 5", id="history"),
        param(
            "da_intimate_partner_disposal",
            {"disposal_type": CR, "domestic_abuse": SAFE_DA_SCREEN},
            "intimate-partner abuse may never be dealt with by community resolution",
            id="intimate partner CR",
        ),
    ],
)
def test_reasons_read_as_plain_statements(rule: str, overrides: dict[str, Any], reason: str) -> None:
    assert outcome(rule, **overrides).reason == reason
