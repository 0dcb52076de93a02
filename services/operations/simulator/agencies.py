"""Partner agencies as the demo plays them: each answers its referrals over the gateway, on the
accelerated clock, the way that person's diversion is going to go — accepting, scheduling each
appointment before it is attended or missed, completing or reporting disengagement."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx

from services.operations.simulator.population import Fate

ACTIVE = ("issued", "accepted", "in_progress")
DAY = timedelta(days=1)
STEPS: dict[Fate, tuple[tuple[str, int], ...]] = {
    Fate.COMPLETES: (("accept", 1), ("schedule:1", 5), ("attended:1", 10), ("completion", 40)),
    Fate.MISSES_APPOINTMENTS: (
        ("accept", 1),
        ("schedule:1", 5),
        ("missed:1", 10),
        ("schedule:2", 15),
        ("missed:2", 20),
    ),
    Fate.DISENGAGES: (("accept", 1), ("disengagement", 15)),
}
"""What the agency does, and from how many days after the referral was issued (an answer within a day: the
tightest service level is two working days)."""


def next_step(fate: Fate, done: set[str], age: timedelta, referral_id: str) -> tuple[str, str, dict] | None:
    """The update an agency sends now for a referral `age` old in simulated time, as (step, path, body), or
    None to wait. Fates that are not the agency's to report (a payment defaulted) complete here."""
    for step, day in STEPS.get(fate, STEPS[Fate.COMPLETES]):
        if step in done:
            continue
        if age < day * DAY:
            return None
        return step, *_request(step, referral_id)
    return None


def _request(step: str, referral_id: str) -> tuple[str, dict]:
    action, _, number = step.partition(":")
    appointment = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{referral_id}/{number}")) if number else None
    if action == "schedule":
        return "appointments", {
            "appointment_id": appointment,
            "purpose": "initial_assessment" if number == "1" else "intervention_session",
            "scheduled_for": "2026-12-01T10:00:00+00:00",
            "mode": "face_to_face",
        }
    if action == "attended":
        return f"appointments/{appointment}/attended", {}
    if action == "missed":
        return f"appointments/{appointment}/missed", {"absence_acceptable": False}
    if action == "completion":
        return "completion", {
            "goals": [{"need": "alcohol_misuse", "goal": "Agreed action plan completed", "outcome": "achieved"}]
        }
    return action, {}


async def answer_referrals(
    http: httpx.AsyncClient, key: str, fates: dict[str, Fate], done: dict[str, set[str]], now: datetime
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
            planned = next_step(fate, steps, age, referral["referral_id"])
            if planned is None:
                continue
            step, path, body = planned
            answer = await http.post(
                f"/v1/referrals/{referral['referral_id']}/{path}", json=body, headers={"X-API-Key": key}
            )
            if answer.status_code in (200, 409):
                steps.add(step)
                sent += 1
        if len(page) < 500:
            return sent
        offset += 500
