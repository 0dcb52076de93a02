"""Partner agencies as the demo plays them: each works its referrals over the gateway, on the accelerated clock, the
way that person's diversion is going to go — accepting, naming a caseworker, the first contact, the programme's own
assessment (Brighter Tomorrows finds hidden victimisation and refers to victim support; others refer onward to the
food bank, money advice, courses), an action plan (revised when the diversion team returns it), appointments
scheduled ahead (so the person is reminded) and attended or missed, sessions with engagement, now and then a
safeguarding concern, the end-of-service report and completion — or reporting disengagement.

What each agency does is drawn from a random stream seeded by the referral, so the same seed plays the same month.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import httpx

from services.operations.simulator.population import Fate

ACTIVE = ("issued", "accepted", "in_progress")
DAY = timedelta(days=1)
RETURNED = "plan returned"
"""Marked on a referral by the diversion team (`diversion_team.py`) when it sends the plan back."""
WORK = (("accept", 1), ("caseworker", 1), ("first-contact", 2))
STEPS: dict[Fate, tuple[tuple[str, int], ...]] = {
    Fate.COMPLETES: (
        *WORK,
        ("assessment", 3),
        ("action-plan", 4),
        ("schedule:1", 5),
        ("concern", 6),
        ("attended:1", 10),
        ("session:1", 10),
        ("end-of-service-report", 35),
        ("completion", 40),
    ),
    Fate.MISSES_APPOINTMENTS: (
        *WORK,
        ("schedule:1", 5),
        ("missed:1", 10),
        ("schedule:2", 15),
        ("missed:2", 20),
    ),
    Fate.DISENGAGES: (*WORK, ("disengagement", 15)),
}
"""What the agency does, and from how many days after the referral was issued (an answer within a day: the
tightest service level is two working days)."""
ONWARD_STEPS = (*WORK, ("action-plan", 3), ("end-of-service-report", 10), ("completion", 12))
"""An onward referral: support the person asked for, done whatever became of the diversion."""
RETRIED = frozenset({"end-of-service-report", "completion"})
"""Steps that wait on another's (the plan's approval, the report): refused for now, tried again on the next pass."""
ONWARD_FINDINGS = {
    "brighter-tomorrows": (
        ("hidden_victimisation", 0.35),
        ("finances_benefits_debt", 0.3),
        ("education_training", 0.2),
    ),
    "": (("finances_benefits_debt", 0.15), ("education_training", 0.1)),
}
"""What an agency's own assessment finds beyond the referral's needs, and how often (the default under "")."""
ENGAGEMENT = ("not_engaged", "limited", "good", "good", "full", "full")
CONCERN_SHARE = 0.02
"""Share of referrals on which the agency raises a safeguarding concern (the `concern` step)."""


def next_step(
    fate: Fate, done: set[str], age: timedelta, referral: dict, now: datetime
) -> tuple[str, str, dict] | None:
    """The update an agency sends now for a referral `age` old in simulated time (`referral`: as the agency's list
    shows it, with its `agency_id`), as (step, path, body), or None to wait. Fates that are not the agency's to
    report (a payment defaulted) complete here."""
    revised = RETURNED in done
    if revised and "action-plan:2" not in done:
        return "action-plan:2", *_request("action-plan:2", referral, now, revised)
    for step, day in _steps(fate, referral):
        if step in done:
            continue
        if age < day * DAY:
            return None
        return step, *_request(step, referral, now, revised)
    return None


def _steps(fate: Fate, referral: dict) -> tuple[tuple[str, int], ...]:
    """The referral's steps: an onward referral's, or its fate's — with a concern only where one is raised."""
    steps = ONWARD_STEPS if referral.get("onward_from") else STEPS.get(fate, STEPS[Fate.COMPLETES])
    raises = random.Random(f"{referral['referral_id']}/raises a concern").random() < CONCERN_SHARE
    return tuple((step, day) for step, day in steps if step != "concern" or raises)


def _goals(needs: list[str], revised: bool) -> list[dict]:
    """The plan's goals: one per need, and one more in the version revised after the diversion team returned it."""
    goals = [{"need": need, "goal": f"Progress on {need.replace('_', ' ')}"} for need in needs]
    return [*goals, {"need": needs[0], "goal": "A weekly routine the person keeps"}] if revised else goals


def _request(step: str, referral: dict, now: datetime, revised: bool) -> tuple[str, dict]:
    action, _, number = step.partition(":")
    referral_id, needs = referral["referral_id"], referral["needs"]
    rng = random.Random(f"{referral_id}/{step}")
    appointment = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{referral_id}/{number}")) if number else None
    if action == "schedule":
        return "appointments", {
            "appointment_id": appointment,
            "purpose": "initial_assessment" if number == "1" else "intervention_session",
            "scheduled_for": (now + 3 * DAY).isoformat(),
            "mode": "face_to_face",
        }
    if action == "attended":
        return f"appointments/{appointment}/attended", {}
    if action == "missed":
        return f"appointments/{appointment}/missed", {"absence_acceptable": False}
    if action == "session":
        concerning = rng.random() < 0.03
        return f"appointments/{appointment}/session", {
            "engagement": rng.choice(ENGAGEMENT),
            "concerning_behaviour": concerning,
            **({"notes": "Became agitated and spoke of harming a neighbour."} if concerning else {}),
        }
    if action == "caseworker":
        return "caseworker", {"caseworker": rng.choice(("Sam Keeper", "Ash Patel", "Jo Okafor", "Kim Novak"))}
    if action == "first-contact":
        return "first-contact", {"method": rng.choice(("phone", "phone", "text_message", "face_to_face"))}
    if action == "assessment":
        return "assessment", {"needs": _assessed(referral, rng)}
    if action == "action-plan":
        return "action-plan", {
            "plan_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{referral_id}/plan/{number or 1}")),
            "activities": [{"need": need, "activity": f"Sessions on {need.replace('_', ' ')}"} for need in needs],
            "goals": _goals(needs, number == "2"),
            "sessions_planned": rng.randint(3, 8),
        }
    if action == "concern":
        return "concerns", {
            "kind": rng.choice(("risk_to_a_child", "domestic_abuse", "risk_to_self", "exploitation")),
            "urgency": rng.choice(("immediate", "within_24_hours", "routine")),
            "details": "Disclosed during the assessment; details given to the caseworker.",
        }
    if action == "end-of-service-report":
        outcome = rng.choice(("achieved", "achieved", "partly_achieved", "not_achieved"))
        return "end-of-service-report", {
            "needs": [{"need": need, "outcome": outcome} for need in needs],
            "goals": [goal | {"outcome": outcome} for goal in _goals(needs, revised)],
        }
    return action, {}


def _assessed(referral: dict, rng: random.Random) -> list[dict]:
    """The programme's own assessment: the referral's needs, and what else it found, each onward need with the
    person's consent (now and then refused)."""
    found = [{"category": need, "severity": "medium", "onward": "not_needed"} for need in referral["needs"]]
    for need, chance in ONWARD_FINDINGS.get(referral["agency_id"], ONWARD_FINDINGS[""]):
        if need not in referral["needs"] and rng.random() < chance:
            consent = "refused" if rng.random() < 0.1 else "consented"
            found.append({"category": need, "severity": rng.choice(("low", "medium", "high")), "onward": consent})
    return found


async def answer_referrals(
    http: httpx.AsyncClient,
    agency_id: str,
    key: str,
    fates: dict[str, Fate],
    done: dict[str, set[str]],
    now: datetime,
) -> int:
    """One pass over an agency's referrals; returns how many updates it sent."""
    sent, offset = 0, 0
    while True:
        params = {"limit": 500, "offset": offset, "status": list(ACTIVE)}
        listed = await http.get("/v1/referrals", params=params, headers={"X-API-Key": key})
        listed.raise_for_status()
        page = listed.json()
        for referral in page:
            fate = fates.get(referral["case_id"])
            if fate is None:
                continue
            steps = done.setdefault(referral["referral_id"], set())
            age = now - datetime.fromisoformat(referral["issued_at"])
            planned = next_step(fate, steps, age, referral | {"agency_id": agency_id}, now)
            if planned is None:
                continue
            step, path, body = planned
            answer = await http.post(
                f"/v1/referrals/{referral['referral_id']}/{path}", json=body, headers={"X-API-Key": key}
            )
            if answer.status_code == 200 or (answer.status_code == 409 and step not in RETRIED):
                steps.add(step)
                sent += 1
        if len(page) < 500:
            return sent
        offset += 500
