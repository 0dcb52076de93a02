"""An agency never sees or changes another agency's referral: the whole matrix, every endpoint."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from schemas.events import DeliveryBrief
from schemas.topics import REFERRALS
from tests.integration.compliance.conftest import AGENCIES

APPOINTMENT = "0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e99"
ENDPOINTS = [
    ("GET", "", None),
    ("POST", "/accept", {}),
    ("POST", "/decline", {"reason": "no_capacity"}),
    (
        "POST",
        "/appointments",
        {"purpose": "initial_assessment", "scheduled_for": "2026-03-09T14:00:00+00:00", "mode": "face_to_face"},
    ),
    ("POST", f"/appointments/{APPOINTMENT}/attended", {}),
    ("POST", f"/appointments/{APPOINTMENT}/missed", {"absence_acceptable": False}),
    ("POST", "/completion", {"goals": [{"need": "alcohol_misuse", "goal": "finish", "outcome": "achieved"}]}),
    ("POST", "/disengagement", {}),
    ("POST", "/withdrawal", {"reason": "other"}),
]

CONSULTATIONS = "SELECT count(*) FROM audit_log WHERE action = 'consultation'"
READ = {"purpose": "arranging_contact"}
"""Why an agency reads a referral: one of the fixed purposes, which the audit trail records."""


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p or '/'}" for m, p, _ in ENDPOINTS])
async def test_every_agency_is_refused_every_referral_it_does_not_hold(compliance, method, path, body):
    case = await compliance.open_case()
    nowhere = uuid.uuid4()
    for agency in AGENCIES:
        others = [r for holder, r in case.referrals.items() if holder != agency] + [nowhere]
        for referral in others:
            response = await compliance.http.request(
                method,
                f"/v1/referrals/{referral}{path}",
                json=body,
                params=READ if method == "GET" else None,
                headers=compliance.as_agency(agency),
            )
            assert response.status_code == 404, (agency, referral, response.text)
            assert response.json()["error"] == "referral_not_found"
            assert str(case.case_id) not in response.text and "Example" not in response.text
    statuses = await compliance.pool.fetch("SELECT status FROM referrals")
    assert {row["status"] for row in statuses} == {"issued"}, "nothing was changed"
    assert await compliance.pool.fetchval(CONSULTATIONS) == 0, "nothing was disclosed"


async def test_an_agency_lists_only_its_own_referrals(compliance):
    case = await compliance.open_case()
    for agency in AGENCIES:
        listed = (await compliance.http.get("/v1/referrals", headers=compliance.as_agency(agency))).json()
        assert [r["referral_id"] for r in listed] == [str(case.referrals[agency])]
        assert "personal" not in listed[0]


async def test_an_agency_can_list_only_the_work_in_hand(compliance):
    first, second = await compliance.open_case(), await compliance.open_case()
    agency = "brighter-tomorrows"
    await compliance.post(agency, first.referrals[agency], "accept")
    await compliance.post(agency, second.referrals[agency], "decline", {"reason": "no_capacity"})

    listed = await compliance.http.get(
        "/v1/referrals", params={"status": ["issued", "accepted"]}, headers=compliance.as_agency(agency)
    )
    wrong = await compliance.http.get("/v1/referrals", params={"status": "lost"}, headers=compliance.as_agency(agency))

    assert [(r["referral_id"], r["status"]) for r in listed.json()] == [(str(first.referrals[agency]), "accepted")]
    assert wrong.status_code == 422


async def test_roles_are_kept_apart(compliance):
    case = await compliance.open_case()
    referral = case.referrals["brighter-tomorrows"]
    as_ops = {"X-API-Key": compliance.keys["ops"]}

    assert (await compliance.http.get(f"/v1/referrals/{referral}", headers=as_ops)).status_code == 403
    assert (
        await compliance.http.get("/v1/reports/compliance", headers=compliance.as_agency("brighter-tomorrows"))
    ).status_code == 403
    assert (await compliance.http.get("/v1/referrals")).status_code == 401


async def test_reading_a_referral_discloses_contact_details_and_is_audited(compliance):
    case = await compliance.open_case()
    referral = case.referrals["brighter-tomorrows"]

    response = await compliance.http.get(
        f"/v1/referrals/{referral}",
        params={"purpose": "arranging_contact"},
        headers=compliance.as_agency("brighter-tomorrows"),
    )

    assert response.status_code == 200
    assert response.json()["personal"]["phone"] == "+44 7700 900123"
    (entry,) = await compliance.pool.fetch(
        "SELECT actor, action, referral_id, fields, purpose FROM audit_log WHERE action = 'consultation'"
    )
    assert (entry["actor"], entry["action"], entry["referral_id"]) == ("brighter-tomorrows", "consultation", referral)
    assert entry["purpose"] == "arranging_contact" and "phone" in entry["fields"]
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await compliance.pool.execute("DELETE FROM audit_log")
    assert await compliance.pool.fetchval(CONSULTATIONS) == 1, "the audit log is append-only"


async def test_an_agency_sees_only_the_fields_its_catalogue_entry_allows(compliance):
    """The brighter-tomorrows entry lists contact details and what to deliver: not the date of birth, and
    never the domestic-abuse risk level (for perpetrator programmes only)."""
    case = await compliance.open_case(
        referrals={"brighter-tomorrows": ["women_specific_support"]}, send_referrals=False
    )
    [issued] = case.issued
    assert issued.personal.date_of_birth is not None, "the router would not send it: the test does"
    oversharing = issued.model_copy(
        update={
            "brief": DeliveryBrief(
                disposal_type="adult_conditional_caution", complete_by=date(2026, 6, 22), dash_risk="medium"
            ),
        }
    )
    await compliance.send(REFERRALS.name, oversharing)

    read = await compliance.http.get(
        f"/v1/referrals/{issued.referral_id}", params=READ, headers=compliance.as_agency("brighter-tomorrows")
    )

    assert read.status_code == 200
    assert read.json()["brief"] == {"disposal_type": "adult_conditional_caution", "complete_by": "2026-06-22"}
    assert set(read.json()["personal"]) == {"given_name", "family_name", "phone"}
    (entry,) = await compliance.pool.fetch("SELECT fields FROM audit_log WHERE action = 'consultation'")
    assert sorted(entry["fields"]) == ["complete_by", "disposal_type", "family_name", "given_name", "phone"]


async def test_a_referral_queued_for_an_agency_and_cancelled_before_a_place_freed_was_never_its(compliance):
    from schemas.events import CaseWithdrawn, ReferralQueued
    from schemas.topics import CASES

    case = await compliance.open_case(
        referrals={"brighter-tomorrows": ["women_specific_support"]}, send_referrals=False
    )
    referral = case.referrals["brighter-tomorrows"]
    await compliance.send(
        REFERRALS.name,
        ReferralQueued(
            case_id=case.case_id,
            referral_id=referral,
            agency_id="brighter-tomorrows",
            needs=[{"category": "women_specific_support", "severity": "medium"}],
            delivery_mode="face_to_face",
            explanation="full: waits for a place",
        ),
    )
    await compliance.send(
        CASES.name, CaseWithdrawn(case_id=case.case_id, reason="entered_in_error", withdrawn_at="2026-03-02T09:00:00Z")
    )
    as_agency = compliance.as_agency("brighter-tomorrows")

    listed = await compliance.http.get("/v1/referrals", headers=as_agency)
    read = await compliance.http.get(f"/v1/referrals/{referral}", params=READ, headers=as_agency)
    accepted = await compliance.post("brighter-tomorrows", referral, "accept")

    assert listed.status_code == 200 and listed.json() == []
    assert read.status_code == accepted.status_code == 404


@pytest.mark.parametrize(
    ("how", "body"),
    [("decline", {"reason": "no_capacity"}), ("completion", None)],
    ids=["declined: it left the agency", "completed: it ended"],
)
async def test_contact_details_are_no_longer_shown_once_the_referral_leaves_the_agency(compliance, how, body):
    case = await compliance.open_case(referrals={"brighter-tomorrows": ["women_specific_support"]})
    referral = case.referrals["brighter-tomorrows"]
    agency = compliance.as_agency("brighter-tomorrows")
    assert (await compliance.http.get(f"/v1/referrals/{referral}", params=READ, headers=agency)).json()["personal"][
        "phone"
    ]
    if how == "completion":
        assert (await compliance.post("brighter-tomorrows", referral, "accept")).status_code == 200
        await compliance.report_the_work("brighter-tomorrows", referral)
    assert (await compliance.post("brighter-tomorrows", referral, how, body)).status_code == 200, how

    after = (await compliance.http.get(f"/v1/referrals/{referral}", params=READ, headers=agency)).json()

    assert after["personal"] is None and after["brief"] == {}
    assert after["status"] != "issued" and after["updates"], "its history stays visible"
    last = await compliance.pool.fetchval("SELECT fields FROM audit_log ORDER BY id DESC LIMIT 1")
    assert "phone" not in last, "nothing personal was disclosed, so none is logged as disclosed"
