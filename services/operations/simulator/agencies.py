"""Partner agencies as the demo plays them: each answers its referrals over the gateway, on the
accelerated clock, the way that person's diversion is going to go."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx

from services.operations.simulator.population import Fate

ACTIVE = ("issued", "accepted", "in_progress")
DAY = timedelta(days=1)


def next_step(fate: Fate, status: str, age: timedelta, referral_id: str) -> tuple[str, dict] | None:
    """The update an agency sends now for a referral `age` old in simulated time, or None to wait."""
    first, second = (f"appointments/{uuid.uuid5(uuid.NAMESPACE_URL, f'{referral_id}/{n}')}" for n in (1, 2))
    if status == "issued" and age >= 2 * DAY:
        return "accept", {}
    if fate == Fate.COMPLETES:
        if status == "accepted" and age >= 10 * DAY:
            return f"{first}/attended", {}
        if status == "in_progress" and age >= 40 * DAY:
            return "completion", {
                "goals": [{"need": "alcohol_misuse", "goal": "Agreed action plan completed", "outcome": "achieved"}]
            }
    elif fate == Fate.MISSES_APPOINTMENTS:
        if status == "accepted" and age >= 10 * DAY:
            return f"{first}/missed", {"absence_acceptable": False}
        if status == "in_progress" and age >= 20 * DAY:
            return f"{second}/missed", {"absence_acceptable": False}
    elif status == "accepted" and age >= 15 * DAY:
        return "disengagement", {}
    return None


async def answer_referrals(http: httpx.AsyncClient, key: str, fates: dict[str, Fate], now: datetime) -> int:
    """One pass over an agency's referrals; returns how many updates it sent."""
    sent, offset = 0, 0
    while True:
        page = (
            await http.get("/v1/referrals", params={"limit": 500, "offset": offset}, headers={"X-API-Key": key})
        ).json()
        for referral in page:
            fate = fates.get(referral["case_id"])
            if fate is None or referral["status"] not in ACTIVE:
                continue
            age = now - datetime.fromisoformat(referral["issued_at"])
            step = next_step(fate, referral["status"], age, referral["referral_id"])
            if step is not None:
                action, body = step
                await http.post(
                    f"/v1/referrals/{referral['referral_id']}/{action}", json=body, headers={"X-API-Key": key}
                )
                sent += 1
        if len(page) < 500:
            return sent
        offset += 500
