"""The whole flow on real processes: a police decision through intake and the router to an agency's
updates over HTTP and the outcome police systems act on — completed, breached by deadline, breached by
absences, and a Community Resolution not completed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from schemas.commands import DiversionDecision
from schemas.envelope import decode
from schemas.registry import EVENT_TYPES
from schemas.topics import COMPLIANCE
from tests.e2e.conftest import agency_key, police_key
from tests.factories import payload
from tests.kafka_tools import eventually, read_topic

AGENCY = "substance-misuse-treatment"


def decision(reference: str, decided_at: datetime, **overrides) -> dict:
    body = payload(DiversionDecision, police_reference=reference, decided_at=decided_at.isoformat(), **overrides)
    body["needs"] = [{"category": "alcohol_misuse", "severity": "medium"}]
    body["conditions"] = [
        {
            "kind": "rehabilitative",
            "description": "Alcohol treatment",
            "addresses_need": "alcohol_misuse",
            "attendance_hours": 6,
        }
    ]
    return body


async def test_decisions_reach_each_outcome(settings, start_service):
    intake, intake_schema = await start_service("intake")
    await start_service("router")
    gateway, compliance_schema = await start_service(
        "compliance",
        COMPLIANCE_SWEEP_SECONDS="1",
    )
    now = datetime.now(UTC)
    police = {"X-API-Key": await police_key(settings.database_url, intake_schema)}
    agency = {"X-API-Key": await agency_key(settings.database_url, compliance_schema, AGENCY)}

    cases = {}
    async with httpx.AsyncClient(base_url=intake.url, headers=police) as http:
        for name, when, extra in [
            ("completed", now, {}),
            ("deadline", now - timedelta(weeks=20), {}),
            ("absences", now, {}),
            ("resolution", now, {"disposal_type": "community_resolution", "conditions": []}),
        ]:
            body = decision(f"13YE{uuid.uuid4().hex[:7].upper()}", when)
            body.update(extra)
            answer = await http.post("/v1/decisions", json=body)
            assert answer.status_code == 201 and answer.json()["status"] == "open", answer.text
            cases[name] = answer.json()["case_id"]

    async with httpx.AsyncClient(base_url=gateway.url, headers=agency) as http:
        referrals = await eventually(lambda: _referrals_by_case(http, cases), timeout=60)
        appointment = uuid.uuid4()
        for action, body in [
            ("accept", {}),
            (f"appointments/{appointment}/attended", {}),
            ("completion", {"goals": [{"need": "alcohol_misuse", "goal": "finish treatment", "outcome": "achieved"}]}),
        ]:
            assert (await http.post(f"/v1/referrals/{referrals['completed']}/{action}", json=body)).status_code == 200
        for missed in (uuid.uuid4(), uuid.uuid4()):
            response = await http.post(
                f"/v1/referrals/{referrals['absences']}/appointments/{missed}/missed",
                json={"absence_acceptable": False},
            )
            assert response.status_code == 200
        assert (await http.post(f"/v1/referrals/{referrals['resolution']}/disengagement", json={})).status_code == 200

    outcomes = await eventually(lambda: _case_outcomes(settings, cases), timeout=60)
    assert outcomes["completed"] == ("case.completed", None)
    assert outcomes["deadline"] == ("case.breached", "deadline_passed")
    assert outcomes["absences"] == ("case.breached", "missed_appointment")
    assert outcomes["resolution"] == ("case.noncompleted", "disengaged")


async def _referrals_by_case(http: httpx.AsyncClient, cases: dict[str, str]) -> dict[str, str] | None:
    listed = (await http.get("/v1/referrals")).json()
    by_case = {r["case_id"]: r["referral_id"] for r in listed}
    if all(case in by_case for case in cases.values()):
        return {name: by_case[case] for name, case in cases.items()}
    return None


async def _case_outcomes(settings, cases: dict[str, str]) -> dict[str, tuple] | None:
    records = await read_topic(settings.kafka_bootstrap_servers, settings.topic(COMPLIANCE.name), at_least=1, timeout=5)
    found = {}
    for attributes, event in (decode(r.headers, r.value, EVENT_TYPES) for r in records):
        if attributes.type.split(".")[-3] == "case":
            kind = ".".join(attributes.type.split(".")[-3:-1])
            found[str(event.case_id)] = (kind, getattr(event, "reason", None))
    if all(case in found for case in cases.values()):
        return {name: found[case] for name, case in cases.items()}
    return None
