"""Intake's audit trail: collecting a person's details, the police reading and changing a case, and keys —
each with who, why (a fixed purpose) and which fields, never their values."""

from __future__ import annotations

from platform_plumbing.api_keys import revoke_key
from platform_plumbing.clock import SystemClock
from tests.integration.intake.test_http_decisions import decision


async def trail(intake) -> list[tuple]:
    rows = await intake.pool.fetch(
        "SELECT actor, action, purpose, recipient, fields, detail FROM audit_log ORDER BY id"
    )
    return [tuple(row) for row in rows]


async def test_collection_consultation_and_alteration_are_recorded_with_the_fields_but_not_their_values(intake):
    assert (await intake.http.post("/v1/decisions", json=decision("13YE0000101"))).status_code == 201
    assert (await intake.http.get("/v1/cases/13YE0000101")).status_code == 200
    withdrawal = {
        "force_id": "cambridgeshire",
        "police_reference": "13YE0000101",
        "reason": "entered_in_error",
        "withdrawn_at": "2026-03-06T10:00:00+00:00",
    }
    assert (await intake.http.post("/v1/withdrawals", json=withdrawal)).status_code == 200

    acts = [(actor, action, purpose, detail) for actor, action, purpose, _, _, detail in await trail(intake)]
    collected = next(fields for _, action, _, _, fields, _ in await trail(intake) if action == "collection")

    assert acts[-3:] == [
        ("test-police", "collection", "diversion_decision", "case opened"),
        ("test-police", "consultation", "diversion_decision", "case read"),
        ("test-police", "alteration", "diversion_decision", "case withdrawn"),
    ]
    assert {"given_name", "family_name", "date_of_birth"} <= set(collected)
    raw = str(await intake.pool.fetch("SELECT * FROM audit_log"))
    assert "Example" not in raw and "Alex" not in raw, "names of fields, never their values"


async def test_keys_issued_and_revoked_are_recorded_for_whom(intake):
    async with intake.pool.acquire() as connection:
        key_id = intake.api_key.split("_")[1]
        assert await revoke_key(connection, key_id, now=SystemClock().now())

    keys = [(action, purpose, recipient) for _, action, purpose, recipient, _, _ in await trail(intake)]

    assert ("key_issue", "key_management", "test-police") in keys
    assert keys[-1] == ("key_revoke", "key_management", "test-police")
