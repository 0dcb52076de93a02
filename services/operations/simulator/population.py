"""A month of diversion decisions for a mid-sized force, and how each person's diversion will go.

Seeded, so a run can be repeated exactly. The mix follows the source force's figures: about 350
diversions a month, mostly Community Resolutions and adult Conditional Cautions, some youth
cases, a few domestic-abuse perpetrators screened into the CARA-style programme, and women in
Leeds offered the women's programme. Each case's fate is drawn so that Conditional Caution
compliance comes out near 93% and Community Resolution completion near 73%.
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
COMPLETION = {"community_resolution": 0.73, "adult_conditional_caution": 0.93, "youth_conditional_caution": 0.90}


class Fate(StrEnum):
    COMPLETES = "completes"
    MISSES_APPOINTMENTS = "misses_appointments"
    DISENGAGES = "disengages"


@dataclass(frozen=True)
class PlannedCase:
    decision: dict
    fate: Fate
    reoffends_after_days: int | None


def month_of_decisions(seed: int, count: int, start: datetime, month_seconds: float) -> list[tuple[float, PlannedCase]]:
    """`count` decisions spread over a month: (seconds after `start`, planned case)."""
    rng = random.Random(seed)
    return sorted(((rng.uniform(0, month_seconds), _case(rng, n, start)) for n in range(count)), key=lambda p: p[0])


def _case(rng: random.Random, n: int, start: datetime) -> PlannedCase:
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
    completes = rng.random() < COMPLETION[disposal]
    fate = Fate.COMPLETES if completes else rng.choice((Fate.MISSES_APPOINTMENTS, Fate.DISENGAGES))
    decision = {
        "force_id": "west-yorkshire",
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
    return PlannedCase(decision, fate, rng.randint(30, 700) if reoffends else None)
