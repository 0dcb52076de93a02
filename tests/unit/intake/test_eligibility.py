"""Every rule of the law and of the force's policy at its boundaries, each answering once with a reason and its
source."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest import param

from schemas.commands import DiversionDecision
from schemas.vocabulary import DisposalType
from services.intake.domain import law
from services.intake.domain.eligibility import RuleResult, Verdict
from services.intake.domain.eligibility import assess as assess_at
from services.intake.domain.policy import Policy, load_policy
from tests.factories import example, payload

POLICY_FILE = Path(__file__).resolve().parents[3] / "deploy" / "policy" / "force-policy.yaml"
POLICY = load_policy(POLICY_FILE)
BASE = payload(DiversionDecision)
NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)
"""An hour and a half after the example decision."""

CR = DisposalType.COMMUNITY_RESOLUTION
ADULT_CC = DisposalType.ADULT_CONDITIONAL_CAUTION
YOUTH_CC = DisposalType.YOUTH_CONDITIONAL_CAUTION
DIVERSIONARY = DisposalType.DIVERSIONARY_CAUTION
COMMUNITY_CAUTION = DisposalType.COMMUNITY_CAUTION
TWO_TIER = [DIVERSIONARY, COMMUNITY_CAUTION]

RULES = [
    "disposal_available",
    "area",
    "decided_at",
    "age_band",
    "appropriate_adult",
    "authorised_by",
    "mode_of_trial",
    "prosecutor_authority",
    "admission",
    "sufficient_evidence",
    "consent",
    "victim_views",
    "victim_wishes",
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
    "area": "leeds",
    "decided_at": (NOW + timedelta(days=1)).isoformat(),
    "authorised_by": {"officer": "PC100", "rank": "constable"},
    "admission": False,
    "sufficient_evidence": False,
    "consent": False,
    "victim_views": "not_sought",
    "offence": offence(category="violence_against_the_person", gravity_score=4, mode_of_trial="indictable_only"),
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


def assess(decision: DiversionDecision, policy: Policy) -> Verdict:
    return assess_at(decision, policy, now=NOW)


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
    ("disposal", "age", "present", "passed"),
    [
        param(YOUTH_CC, 16, False, False, id="youth CC at 16 without one"),
        param(YOUTH_CC, 17, False, False, id="youth CC at 17 without one: a juvenile too"),
        param(YOUTH_CC, 17, True, True, id="youth CC at 17 with one"),
        param(CR, 17, False, False, id="CR at 17 without one"),
        param(CR, 18, False, True, id="CR at 18: an adult"),
    ],
)
def test_everyone_under_18_needs_an_appropriate_adult(
    disposal: DisposalType, age: int, present: bool, passed: bool
) -> None:
    result = outcome("appropriate_adult", disposal_type=disposal, age_at_offence=age, appropriate_adult_present=present)

    assert result.passed is passed
    assert result.source == law.APPROPRIATE_ADULT


def test_a_policy_that_excuses_17_year_olds_from_an_appropriate_adult_is_refused_at_load() -> None:
    raw = yaml.safe_load(POLICY_FILE.read_text())
    raw["disposals"]["youth_conditional_caution"]["appropriate_adult_up_to_age"] = 16

    with pytest.raises(ValueError, match="appropriate_adult_up_to_age must be at least 17"):
        Policy.model_validate(raw)


@pytest.mark.parametrize(
    ("disposal", "requirement", "passed"),
    [
        param(ADULT_CC, "admission", False, id="adult CC without admission"),
        param(YOUTH_CC, "admission", False, id="youth CC without admission"),
        param(CR, "admission", False, id="CR without admission"),
        param(ADULT_CC, "sufficient_evidence", False, id="adult CC without evidence"),
        param(CR, "sufficient_evidence", False, id="CR for an offence not capable of proof"),
        param(ADULT_CC, "consent", False, id="adult CC without consent"),
        param(CR, "consent", False, id="CR without the person's agreement"),
    ],
)
def test_a_missing_requirement_fails_only_where_policy_requires_it(
    disposal: DisposalType, requirement: str, passed: bool
) -> None:
    result = outcome(requirement, disposal_type=disposal, **{requirement: False})

    assert result.passed is passed
    assert result.source == law.REQUIREMENTS[disposal]


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
    ("disposal", "age", "mode", "pence", "passed", "source"),
    [
        param(ADULT_CC, 34, "summary", 5000, True, law.ADULT_FINANCIAL_PENALTIES, id="adult summary £50"),
        param(ADULT_CC, 34, "summary", 5001, False, law.ADULT_FINANCIAL_PENALTIES, id="adult summary over £50"),
        param(ADULT_CC, 34, "either_way", 10_000, True, law.ADULT_FINANCIAL_PENALTIES, id="adult either way £100"),
        param(ADULT_CC, 34, "either_way", 10_001, False, law.ADULT_FINANCIAL_PENALTIES, id="either way over £100"),
        param(ADULT_CC, 34, "indictable_only", 15_000, True, law.ADULT_FINANCIAL_PENALTIES, id="indictable £150"),
        param(ADULT_CC, 34, "indictable_only", 15_001, False, law.ADULT_FINANCIAL_PENALTIES, id="indictable over"),
        param(YOUTH_CC, 15, "summary", 3000, True, law.YOUTH_FINANCIAL_PENALTIES, id="15 summary £30"),
        param(YOUTH_CC, 15, "summary", 3001, False, law.YOUTH_FINANCIAL_PENALTIES, id="15 summary over £30"),
        param(YOUTH_CC, 14, "indictable_only", 7500, True, law.YOUTH_FINANCIAL_PENALTIES, id="14 indictable £75"),
        param(YOUTH_CC, 13, "indictable_only", 3501, False, law.YOUTH_FINANCIAL_PENALTIES, id="13 over £35"),
        param(YOUTH_CC, 10, "either_way", 2500, True, law.YOUTH_FINANCIAL_PENALTIES, id="10 either way £25"),
        param(YOUTH_CC, 17, "either_way", 5001, False, law.YOUTH_FINANCIAL_PENALTIES, id="17 either way over £50"),
    ],
)
def test_a_financial_penalty_is_capped_by_mode_of_trial_and_for_a_youth_by_age(
    disposal: DisposalType, age: int, mode: str, pence: int, passed: bool, source: str
) -> None:
    result = outcome(
        "financial_penalty",
        disposal_type=disposal,
        age_at_offence=age,
        offence=offence(category="theft", mode_of_trial=mode),
        conditions=[condition("punitive", pence=pence)],
    )

    assert (result.passed, result.source) == (passed, source)


@pytest.mark.parametrize(
    ("category", "mode", "conditions", "passed"),
    [
        param("violence_against_the_person", "either_way", [condition("punitive", pence=5000)], False, id="no fine"),
        param("theft", None, [condition("punitive", pence=5000)], False, id="a fine with no mode of trial"),
        param(
            "violence_against_the_person",
            "either_way",
            [condition("compensation", pence=50_000)],
            True,
            id="compensation to the victim is not a penalty",
        ),
        param("violence_against_the_person", "either_way", [condition("reparative")], True, id="without a fine"),
    ],
)
def test_a_financial_penalty_only_for_prescribed_offences_whose_mode_of_trial_is_known(
    category: str, mode: str | None, conditions: list[dict], passed: bool
) -> None:
    result = outcome("financial_penalty", offence=offence(category=category, mode_of_trial=mode), conditions=conditions)

    assert result.passed is passed


def test_a_policy_whose_penalty_caps_exceed_the_law_is_refused_at_load() -> None:
    raw = yaml.safe_load(POLICY_FILE.read_text())
    raw["financial_penalty_caps"]["adults"]["either_way"] = 25_000

    with pytest.raises(ValueError, match="adults' financial penalty caps over what the law allows: either_way"):
        Policy.model_validate(raw)
    raw["financial_penalty_caps"]["adults"]["either_way"] = 10_000
    raw["financial_penalty_caps"]["youths"][0]["summary"] = 3_001
    with pytest.raises(ValueError, match="youth caps from age 14 over what the law allows: summary"):
        Policy.model_validate(raw)


@pytest.mark.parametrize(
    ("disposal", "key", "value", "problem"),
    [
        param(
            ADULT_CC,
            "min_age",
            17,
            "only for people aged 18 or over (Criminal Justice Act 2003 s.22(1))",
            id="adult CC at 17 (with an appropriate adult)",
        ),
        param(
            YOUTH_CC,
            "max_age",
            18,
            "only for people aged 10 to 17 (Crime and Disorder Act 1998 s.66A)",
            id="youth CC at 18",
        ),
        param(YOUTH_CC, "max_age", None, "only for people aged 10 to 17", id="youth CC with no upper age"),
        param(
            ADULT_CC,
            "authorised_by_at_least",
            "constable",
            "authorised by a sergeant or above (DPP's",
            id="a constable's CC",
        ),
        param(
            YOUTH_CC, "authorised_by_at_least", "constable", "authorised by a sergeant or above", id="a constable's YCC"
        ),
        param(ADULT_CC, "completion_weeks", 17, "done within 16 weeks, exceptionally 20", id="17 weeks"),
        param(ADULT_CC, "extended_completion_weeks", 21, "done within 16 weeks, exceptionally 20", id="21 weeks"),
        param(CR, "appropriate_adult_up_to_age", 16, "appropriate_adult_up_to_age must be at least 17", id="AA to 16"),
    ],
)
def test_a_policy_wider_than_the_law_is_refused_at_load(
    disposal: DisposalType, key: str, value: object, problem: str
) -> None:
    raw = yaml.safe_load(POLICY_FILE.read_text())
    raw["disposals"][disposal].setdefault("appropriate_adult_up_to_age", 17)
    raw["disposals"][disposal][key] = value

    with pytest.raises(ValueError, match=re.escape(problem)):
        Policy.model_validate(raw)


def test_a_policy_may_be_narrower_than_the_law() -> None:
    raw = yaml.safe_load(POLICY_FILE.read_text())
    raw["disposals"][ADULT_CC].update(min_age=21, authorised_by_at_least="inspector")
    raw["disposals"][YOUTH_CC].update(min_age=12, max_age=16)
    raw["disposals"][CR]["authorised_by_at_least"] = "constable"  # the force's own rule: the law sets no rank

    policy = Policy.model_validate(raw)

    assert policy.disposals[ADULT_CC].min_age == 21


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
        param(YOUTH_CC, "punitive", True, id="youth CC may carry a penalty (SI 2013/608)"),
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
    still_passing = {  # youth CC is on and may carry any kind, 16 is in its band; the rest cannot fail
        "disposal_available",
        "age_band",
        "conditions_required",
        "condition_kinds",
        "mode_of_trial",
        "victim_wishes",
    }

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
            "diversionary caution is not available under policy 2026.3",
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
            "evidence enough to charge (an offence capable of proof) required but not recorded",
            id="CR evidence missing",
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


@pytest.mark.parametrize(
    ("area", "passed"),
    [param("peterborough", True, id="Peterborough"), param("fenland", True, id="Fenland"), param("leeds", False)],
)
def test_the_person_lives_in_one_of_the_forces_districts(area: str, passed: bool) -> None:
    result = outcome("area", area=area)

    assert (result.passed, result.source) == (passed, "force policy cambridgeshire 2026.3")


@pytest.mark.parametrize(
    ("ahead", "passed"),
    [
        param(timedelta(0), True, id="now"),
        param(timedelta(seconds=300), True, id="within the clock skew"),
        param(timedelta(seconds=301), False, id="beyond it"),
        param(timedelta(days=365 * 5), False, id="2030"),
    ],
)
def test_a_decision_may_not_be_dated_in_the_future(ahead: timedelta, passed: bool) -> None:
    assert outcome("decided_at", decided_at=(NOW + ahead).isoformat()).passed is passed


@pytest.mark.parametrize(
    ("disposal", "authorisation", "passed", "source"),
    [
        param(ADULT_CC, None, False, law.AUTHORISED_PERSON, id="a caution nobody authorised"),
        param(ADULT_CC, "constable", False, law.AUTHORISED_PERSON, id="a caution a constable authorised"),
        param(ADULT_CC, "sergeant", True, law.AUTHORISED_PERSON, id="a caution a sergeant authorised"),
        param(YOUTH_CC, "inspector", True, law.AUTHORISED_PERSON, id="a youth caution an inspector authorised"),
        param(CR, "constable", True, "force policy cambridgeshire 2026.3", id="a CR a constable authorised"),
        param(CR, None, False, "force policy cambridgeshire 2026.3", id="a CR nobody authorised"),
    ],
)
def test_every_decision_names_an_authorising_officer_of_the_policys_rank(
    disposal: DisposalType, authorisation: str | None, passed: bool, source: str
) -> None:
    by = {"officer": "PS4321", "rank": authorisation} if authorisation else None
    result = outcome("authorised_by", disposal_type=disposal, authorised_by=by, age_at_offence=17)

    assert (result.passed, result.source) == (passed, source)


@pytest.mark.parametrize(
    ("mode", "authority", "passed"),
    [
        param("indictable_only", None, False, id="robbery without a prosecutor"),
        param("indictable_only", "CPS/35/1234", True, id="robbery with a prosecutor's authority"),
        param("either_way", None, True, id="either way needs none"),
    ],
)
def test_an_offence_triable_only_on_indictment_needs_a_crown_prosecutors_authority(
    mode: str, authority: str | None, passed: bool
) -> None:
    result = outcome(
        "prosecutor_authority",
        offence=offence(category="robbery", mode_of_trial=mode),
        prosecutor_authority=authority,
    )

    assert (result.passed, result.source) == (passed, law.PROSECUTOR_FOR_INDICTABLE_ONLY)


def test_the_offences_mode_of_trial_is_required() -> None:
    assert outcome("mode_of_trial", offence=offence(mode_of_trial=None)).passed is False
    assert outcome("mode_of_trial").reason == "offence triable either way"


@pytest.mark.parametrize(
    ("wishes", "conditions", "reason"),
    [
        param([], [], "the victim expressed no wish from the list", id="none"),
        param(
            ["apology", "prosecution"],
            [condition("reparative")],
            "the adult conditional caution answers the victim's wish for apology; does not answer their wish for "
            "prosecution (the victim's views were weighed; the officer decides)",
            id="apology answered, prosecution not",
        ),
        param(
            ["compensation", "no_contact"],
            [condition("compensation", pence=2000), condition("restrictive")],
            "the adult conditional caution answers the victim's wish for compensation, no contact (the victim's "
            "views were weighed; the officer decides)",
            id="both answered",
        ),
    ],
)
def test_the_outcome_says_how_the_disposal_answers_the_victims_wishes_but_never_refuses_for_them(
    wishes: list[str], conditions: list[dict], reason: str
) -> None:
    result = outcome("victim_wishes", victim_wishes=wishes, conditions=conditions)

    assert (result.passed, result.reason, result.source) == (True, reason, law.VICTIMS_CODE)


def test_every_rule_names_its_source() -> None:
    for overrides in ({}, EVERYTHING_WRONG):
        verdict = assess(example(DiversionDecision, **overrides), POLICY)
        assert all(result.source for result in verdict.results)
    sources = {r.rule: r.source for r in assess(example(DiversionDecision, **EVERYTHING_WRONG), POLICY).results}
    assert sources["attendance_hours"] == "Criminal Justice Act 2003 s.22(3B)"
    assert sources["condition_deadlines"] == law.TIME_LIMIT


def test_a_policy_that_lets_conditions_run_past_the_law_s_time_limit_is_refused_at_load() -> None:
    raw = yaml.safe_load(POLICY_FILE.read_text())
    raw["disposals"]["adult_conditional_caution"]["extended_completion_weeks"] = 24

    with pytest.raises(ValueError, match="exceptionally 20"):
        Policy.model_validate(raw)


def test_the_second_forces_fixture_is_a_valid_policy_of_its_own() -> None:
    fixture = load_policy(Path(__file__).resolve().parents[2] / "fixtures" / "second-force-policy.yaml")

    assert (fixture.force_id, fixture.areas) == ("fixture-constabulary", frozenset({"northtown", "southtown"}))
    assert outcome("area", policy=fixture).passed is False, "Peterborough is not one of its districts"
