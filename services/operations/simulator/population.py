"""A month of Cambridgeshire and Peterborough's diversion decisions, and how each person's diversion goes.

Seeded, so a run can be repeated exactly. The mix follows what the source says of the force (shared/SOURCE.md):
about 350 diversions a month, by Community Resolution or Conditional Caution, for offences such as cannabis
possession, shoplifting, domestic abuse, stalking and (rarely, with a prosecutor's authority) robbery; women in
Peterborough offered Brighter Tomorrows; domestic-abuse perpetrators screened into a programme. Cautions carry
lawful conditions: work on each need with its agency, and often an apology letter, compensation to the victim
paid in instalments, a financial penalty within its cap, unpaid work or a restriction.

Nothing here is tuned to the source's figures. Whether a person completes is drawn from a simple model of their
risk (age, record, gravity, how many needs, substance misuse) and of what the disposal puts at stake (a caution's
breach can mean prosecution; a Community Resolution's cannot); whether they are named in a new investigation
within 24 months is drawn, once their case has concluded, from the same risk and from how it ended. The demo
then measures what the platform recorded and prints it beside the source's figures: the distance is the point.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

AREAS = (
    ("peterborough", 30),
    ("cambridge", 20),
    ("huntingdonshire", 16),
    ("fenland", 14),
    ("east-cambridgeshire", 9),
    ("south-cambridgeshire", 11),
)
"""The force's districts, weighted roughly by population."""
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
    # category, CJS code, mode of trial, weight, gravity scores it is met with
    ("drug_offences", "MD71230", "either_way", 22, (1, 2)),  # possession of cannabis
    ("theft", "TH68010", "either_way", 30, (1, 2, 2)),  # shoplifting
    ("criminal_damage_and_arson", "CD71036", "either_way", 14, (1, 2, 3)),
    ("public_order", "PU11001", "summary", 12, (1, 2)),
    ("violence_against_the_person", "OF61016", "summary", 10, (2, 2, 3)),  # common assault
    ("violence_against_the_person", "HA51001", "either_way", 4, (2, 3)),  # stalking
    ("robbery", "RO61001", "indictable_only", 2, (3,)),  # with a Crown Prosecutor's authority
)
PENALTY_PRESCRIBED = ("theft", "criminal_damage_and_arson", "public_order")
WITH_A_VICTIM = ("theft", "criminal_damage_and_arson", "violence_against_the_person", "robbery")
WITH_A_VICTIM_TO_COMPENSATE = ("theft", "criminal_damage_and_arson")
ADULT_PENALTY_CAP = {"summary": 5_000, "either_way": 10_000, "indictable_only": 15_000}
"""SI 2013/615 (the force's caps are the law's)."""
VICTIM_WISHES = (
    ("apology", 30),
    ("compensation", 20),
    ("repair_of_damage", 8),
    ("restorative_meeting", 6),
    ("no_contact", 10),
    ("help_for_the_offender", 25),
    ("no_further_action", 8),
    ("prosecution", 10),
)
POLICE_RESPONSES = (("reasonable_excuse", 0.3), ("prosecute", 0.5), ("no_further_action", 0.2))
AT_STAKE = {"community_resolution": 1.6, "adult_conditional_caution": 3.2, "youth_conditional_caution": 2.6}
"""How much a breach would cost, on the completion model's log-odds scale: a Community Resolution's non-completion
is recorded and never enforced; a caution's breach can mean prosecution for the offence. Assumed, not fitted."""
REOFFENDING_BASELINE = -2.6
"""Log-odds of being named again within 24 months for a person of no risk who completed (assumed, not fitted)."""
NOT_COMPLETED = 0.9
"""What not completing adds to those log-odds: the work on why they offend was left undone (assumed)."""


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
    risk: float
    """The person's risk on the models' log-odds scale (see `risk_of`)."""
    reoffending_draw: float
    """The uniform draw compared with the chance of being named again, once the case has concluded."""
    named_after_days: int
    """When, after the decision, they would be named (up to three years, so some fall outside the window)."""
    police_response: str
    """What the police decide if the case is breached: reasonable_excuse, prosecute or no_further_action."""

    def named_after(self, completed: bool) -> int | None:
        """Days after the decision they are named in a new investigation, given how the case ended; None if never."""
        return self.named_after_days if self.reoffending_draw < reoffending_chance(self.risk, completed) else None


def risk_of(age: int, convictions: int, cautions: int, gravity: int, needs: list[str]) -> float:
    """A person's risk of not completing and of reoffending, on a log-odds scale: youth, a record, a graver
    offence, more needs and substance misuse all add to it (the factors the force weighs; weights assumed)."""
    return (
        0.6 * (age < 21)
        + 0.35 * convictions
        + 0.2 * cautions
        + 0.3 * (gravity >= 3)
        + 0.2 * max(len(needs) - 1, 0)
        + 0.5 * any(need in ("drug_misuse", "alcohol_misuse") for need in needs)
    )


def completion_chance(disposal: str, risk: float) -> float:
    return 1 / (1 + math.exp(-(AT_STAKE[disposal] - risk)))


def reoffending_chance(risk: float, completed: bool) -> float:
    """The chance of being named in a new investigation within three years (the window the report reads is 24
    months of it)."""
    return 1 / (1 + math.exp(-(REOFFENDING_BASELINE + risk + (0 if completed else NOT_COMPLETED))))


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
    youth = disposal == "youth_conditional_caution" or (disposal == "community_resolution" and rng.random() < 0.2)
    age = rng.randint(12, 17) if youth else rng.randint(18, 62)
    sex = "female" if rng.random() < 0.25 and not domestic_abuse else "male"
    area = rng.choices([a for a, _ in AREAS], weights=[w for _, w in AREAS])[0]
    category, code, mode, _, gravities = rng.choices(OFFENCES, weights=[o[3] for o in OFFENCES])[0]
    if domestic_abuse:
        category, code, mode, gravities = "violence_against_the_person", "OF61016", "summary", (2,)
    if category == "robbery" and disposal == "community_resolution":
        disposal = "youth_conditional_caution" if youth else "adult_conditional_caution"
    gravity = rng.choice(gravities)
    needs = {need for need, _ in rng.choices(NEEDS, weights=[w for _, w in NEEDS], k=rng.randint(1, 2))}
    if domestic_abuse:
        needs = {"da_perpetrator_programme"}
    elif sex == "female" and area == "peterborough" and age >= 18:
        needs.add("women_specific_support")
        if rng.random() < 0.3:
            needs.add("hidden_victimisation")
    convictions, cautions = rng.choice((0, 0, 1, 2)), rng.choice((0, 1))
    conditions = _conditions(rng, disposal, category, mode, sorted(needs))
    risk = risk_of(age, convictions, cautions, gravity, sorted(needs))
    has_victim = category in WITH_A_VICTIM or domestic_abuse
    decision = {
        "force_id": "cambridgeshire",
        "police_reference": f"35DM{n:07d}",
        "subject_ref": f"demo-subject-{n:05d}",
        "disposal_type": disposal,
        "offence": {"code": code, "category": category, "gravity_score": gravity, "mode_of_trial": mode},
        "age_at_offence": age,
        "sex": sex,
        "area": area,
        "admission": True,
        "sufficient_evidence": True,
        "consent": True,
        "victim_views": "sought" if has_victim else "no_identifiable_victim",
        "victim_wishes": _wishes(rng) if has_victim else [],
        "appropriate_adult_present": age < 18,
        "authorised_by": {
            "officer": f"PS{rng.randint(1000, 9999)}",
            "rank": "constable" if disposal == "community_resolution" and rng.random() < 0.7 else "sergeant",
        },
        "criminal_history": {
            "previous_convictions": convictions,
            "previous_cautions": cautions,
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
            "phone": f"+44 7700 9{n % 100000:05d}",  # Notify's fake refuses numbers ending 99, bounces 00
        },
    }
    if mode == "indictable_only":
        decision["prosecutor_authority"] = f"CPS-EAST/{rng.randint(10000, 99999)}"
    if domestic_abuse:
        decision["domestic_abuse"] = {
            "intimate_partner": True,
            "dash_risk": rng.choice(("standard", "medium")),
            "coercive_controlling": False,
            "victim_contacted_and_agrees": True,
        }
    completes = rng.random() < completion_chance(disposal, risk)
    fate = Fate.COMPLETES if completes else _failure(rng, conditions)
    response = rng.choices([r for r, _ in POLICE_RESPONSES], weights=[w for _, w in POLICE_RESPONSES])[0]
    return PlannedCase(decision, fate, risk, rng.random(), rng.randint(30, 1095), response)


def _wishes(rng: random.Random) -> list[str]:
    chosen = {wish for wish, _ in rng.choices(VICTIM_WISHES, weights=[w for _, w in VICTIM_WISHES], k=2)}
    return sorted(chosen)


def _conditions(rng: random.Random, disposal: str, category: str, mode: str, needs: list[str]) -> list[dict]:
    """A caution's conditions: each need worked on with its agency, and the reparation and punishment a custody
    sergeant would add, within the law's caps; a Community Resolution's agreed reparation only."""
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
        cap = ADULT_PENALTY_CAP[mode]
        amount = rng.randrange(cap // 2, cap + 1, 500)
        conditions.append(_condition("punitive", "Pay a financial penalty", "payment", amount_pence=amount))
    if adult and rng.random() < 0.10:
        conditions.append(_condition("punitive", "Unpaid work", "hours_worked", hours=rng.randint(5, 20)))
    if caution and category == "theft" and rng.random() < 0.15:
        conditions.append(
            _condition("restrictive", "Not to enter the store where the offence happened", "no_violation")
        )
    return conditions


def _condition(kind: str, description: str, evidence: str, reported_by: str = "officer", **measure) -> dict:
    return {"kind": kind, "description": description, "evidence": evidence, "reported_by": reported_by, **measure}


def _failure(rng: random.Random, conditions: list[dict]) -> Fate:
    ways = [Fate.MISSES_APPOINTMENTS, Fate.DISENGAGES]
    if any(c["evidence"] == "payment" for c in conditions):
        ways.append(Fate.DEFAULTS_ON_PAYMENT)
    if any(c["kind"] == "restrictive" for c in conditions):
        ways.append(Fate.BREAKS_RESTRICTION)
    return rng.choice(ways)
