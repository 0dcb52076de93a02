"""A month of diversion decisions for a mid-sized force, and how each person's diversion will go.

Seeded, so a run can be repeated exactly. The mix follows the source force's figures: about 350
diversions a month, mostly Community Resolutions and adult Conditional Cautions, some youth cases,
a few domestic-abuse perpetrators screened into the CARA-style programme, and women in Leeds
offered the women's programme. Cautions carry realistic conditions: work on each assessed need
with the agency that delivers it, and often an apology letter, compensation to the victim paid in
instalments, a financial penalty, unpaid work or a restriction. Each case's fate is drawn so that
Conditional Caution compliance comes out near 93% and Community Resolution completion near 73%; a
breach is answered by the police as they would (a reasonable excuse, a prosecution, or no further
action).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

AREAS = ("leeds", "bradford", "wakefield", "kirklees", "calderdale")
NEEDS = (
    ("alcohol_misuse", 20),
    ("drug_misuse", 14),
    ("mental_health", 16),
    ("housing", 12),
    ("finances_benefits_debt", 12),
    ("employment", 8),
    ("education_training", 6),
    ("anger_management", 8),
    ("physical_health", 4),
)
OFFENCES = (
    ("theft", "TH68010"),
    ("criminal_damage_and_arson", "CD71036"),
    ("public_order", "PU11001"),
    ("violence_against_the_person", "OF61016"),
    ("drug_offences", "MD71230"),
)
PENALTY_PRESCRIBED = ("theft", "criminal_damage_and_arson", "public_order")
WITH_A_VICTIM_TO_COMPENSATE = ("theft", "criminal_damage_and_arson")
COMPLETION = {"community_resolution": 0.73, "adult_conditional_caution": 0.93, "youth_conditional_caution": 0.90}
POLICE_RESPONSES = (("reasonable_excuse", 0.3), ("prosecute", 0.5), ("no_further_action", 0.2))


class Fate(StrEnum):
    COMPLETES = "completes"
    MISSES_APPOINTMENTS = "misses_appointments"
    DISENGAGES = "disengages"
    DEFAULTS_ON_PAYMENT = "defaults_on_payment"
    """Pays a first instalment and no more."""
    BREAKS_RESTRICTION = "breaks_restriction"


@dataclass(frozen=True)
class PlannedCase:
    decision: dict
    fate: Fate
    reoffends_after_days: int | None
    police_response: str
    """What the police decide if the case is breached: reasonable_excuse, prosecute or no_further_action."""


def month_of_decisions(seed: int, count: int, start: datetime, month_seconds: float) -> list[tuple[float, PlannedCase]]:
    """`count` decisions spread over a month: (seconds after `start`, planned case)."""
    rng = random.Random(seed)
    return sorted(((rng.uniform(0, month_seconds), _case(rng, n)) for n in range(count)), key=lambda p: p[0])


def _case(rng: random.Random, n: int) -> PlannedCase:
    roll = rng.random()
    domestic_abuse = roll < 0.06
    disposal = (
        "adult_conditional_caution"
        if domestic_abuse or roll < 0.45
        else "youth_conditional_caution"
        if roll < 0.52
        else "community_resolution"
    )
    youth = disposal == "youth_conditional_caution" or (disposal == "community_resolution" and rng.random() < 0.15)
    age = rng.randint(12, 17) if youth else rng.randint(18, 62)
    sex = "female" if rng.random() < 0.25 and not domestic_abuse else "male"
    area = rng.choice(AREAS)
    category, code = rng.choice(OFFENCES)
    needs = {need for need, _ in rng.choices(NEEDS, weights=[w for _, w in NEEDS], k=rng.randint(1, 2))}
    if domestic_abuse:
        needs = {"da_perpetrator_programme"}
    elif sex == "female" and area == "leeds" and age >= 18:
        needs.add("women_specific_support")
    conditions = _conditions(rng, disposal, category, sorted(needs))
    fate = _fate(rng, disposal, conditions)
    decision = {
        "force_id": "cambridgeshire",
        "police_reference": f"13DM{n:07d}",
        "subject_ref": f"demo-subject-{n:05d}",
        "disposal_type": disposal,
        "offence": {"code": code, "category": category, "gravity_score": rng.choice((1, 2, 2, 3))},
        "age_at_offence": age,
        "sex": sex,
        "area": area,
        "admission": True,
        "sufficient_evidence": True,
        "consent": True,
        "victim_views": "sought",
        "appropriate_adult_present": age <= 16,
        "criminal_history": {
            "previous_convictions": rng.choice((0, 0, 1, 2)),
            "previous_cautions": rng.choice((0, 1)),
            "domestic_abuse_conviction_or_caution_within_2_years": False,
        },
        "conditions": conditions,
        "needs": [
            {"category": need, "severity": rng.choice(("low", "medium", "medium", "high"))} for need in sorted(needs)
        ],
        "personal": {
            "given_name": "Demo",
            "family_name": f"Person {n}",
            "date_of_birth": "1990-01-01",
            "phone": "+44 7700 900000",
        },
    }
    if domestic_abuse:
        decision["domestic_abuse"] = {
            "intimate_partner": True,
            "dash_risk": rng.choice(("standard", "medium")),
            "coercive_controlling": False,
            "victim_contacted_and_agrees": True,
        }
    reoffends = rng.random() < (0.093 if domestic_abuse else 0.15)
    response = rng.choices([r for r, _ in POLICE_RESPONSES], weights=[w for _, w in POLICE_RESPONSES])[0]
    return PlannedCase(decision, fate, rng.randint(30, 700) if reoffends else None, response)


def _conditions(rng: random.Random, disposal: str, category: str, needs: list[str]) -> list[dict]:
    """A caution's conditions: each need worked on with its agency, and the reparation and punishment a
    custody sergeant would add; a Community Resolution's agreed reparation only."""
    caution = disposal != "community_resolution"
    adult = disposal == "adult_conditional_caution"
    conditions = [
        {
            "kind": "rehabilitative",
            "description": f"Attend and complete the {need.replace('_', ' ')} intervention",
            "evidence": "completion",
            "reported_by": "agency",
            "addresses_need": need,
        }
        for need in needs
        if caution
    ]
    if rng.random() < (0.35 if caution else 0.3):
        conditions.append(_condition("reparative", "Write a letter of apology to the victim", "letter_sent"))
    if category in WITH_A_VICTIM_TO_COMPENSATE and rng.random() < (0.25 if adult else 0.1):
        amount = rng.randrange(2_000, 30_000, 500)
        conditions.append(
            _condition(
                "compensation", "Pay compensation to the victim", "payment", "victim_contact", amount_pence=amount
            )
        )
    if adult and category in PENALTY_PRESCRIBED and rng.random() < 0.15:
        conditions.append(
            _condition(
                "punitive", "Pay a financial penalty", "payment", amount_pence=rng.randrange(5_000, 25_001, 2_500)
            )
        )
    if adult and rng.random() < 0.10:
        conditions.append(_condition("punitive", "Unpaid work", "hours_worked", hours=rng.randint(5, 20)))
    if caution and category == "theft" and rng.random() < 0.15:
        conditions.append(
            _condition("restrictive", "Not to enter the store where the offence happened", "no_violation")
        )
    return conditions


def _condition(kind: str, description: str, evidence: str, reported_by: str = "officer", **measure) -> dict:
    return {"kind": kind, "description": description, "evidence": evidence, "reported_by": reported_by, **measure}


def _fate(rng: random.Random, disposal: str, conditions: list[dict]) -> Fate:
    if rng.random() < COMPLETION[disposal]:
        return Fate.COMPLETES
    ways = [Fate.MISSES_APPOINTMENTS, Fate.DISENGAGES]
    if any(c["evidence"] == "payment" for c in conditions):
        ways.append(Fate.DEFAULTS_ON_PAYMENT)
    if any(c["kind"] == "restrictive" for c in conditions):
        ways.append(Fate.BREAKS_RESTRICTION)
    return rng.choice(ways)
