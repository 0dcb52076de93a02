"""The force's diversion team as the demo plays it, over compliance's operations API: it decides each action plan
awaiting approval (most approved, about one in seven first versions returned with a reason, which the agency then
revises) and takes on each safeguarding concern by name. What it decides is drawn from a stream seeded by the plan,
so the same seed plays the same month."""

from __future__ import annotations

import random

import httpx

from services.operations.simulator.agencies import RETURNED

TEAM = ("DS Jo Duty", "Sam Reid (diversion officer)", "PC Amir Khan")
RETURN_SHARE = 1 / 7


async def decide_plans(gateway: httpx.AsyncClient, operations: dict[str, str], done: dict[str, set[str]]) -> int:
    """Approve or return every plan awaiting approval; how many were decided."""
    awaiting = await gateway.get("/v1/action-plans", params={"limit": 500}, headers=operations)
    awaiting.raise_for_status()
    for plan in awaiting.json():
        rng = random.Random(plan["plan_id"])
        by = rng.choice(TEAM)
        if plan["version"] == 1 and rng.random() < RETURN_SHARE:
            answer = await gateway.post(
                f"/v1/action-plans/{plan['plan_id']}/return",
                json={"by": by, "reason": "Add a goal the person can keep week to week."},
                headers=operations,
            )
            if answer.status_code == 200:
                done.setdefault(plan["referral_id"], set()).add(RETURNED)
        else:
            await gateway.post(f"/v1/action-plans/{plan['plan_id']}/approval", json={"by": by}, headers=operations)
    return len(awaiting.json())


async def acknowledge_concerns(gateway: httpx.AsyncClient, operations: dict[str, str]) -> int:
    """Take on every concern waiting; how many."""
    waiting = await gateway.get("/v1/concerns", params={"waiting": "true", "limit": 500}, headers=operations)
    waiting.raise_for_status()
    for concern in waiting.json():
        by = random.Random(concern["concern_id"]).choice(TEAM)
        await gateway.post(f"/v1/concerns/{concern['concern_id']}/acknowledgement", json={"by": by}, headers=operations)
    return len(waiting.json())
