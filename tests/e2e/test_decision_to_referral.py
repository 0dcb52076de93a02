"""From a police decision over HTTP to referrals on Kafka, through intake and the router as real processes."""

from __future__ import annotations

import httpx

from schemas.commands import DiversionDecision
from schemas.envelope import decode
from schemas.events import ReferralIssued
from schemas.registry import EVENT_TYPES
from schemas.topics import REFERRALS
from tests.e2e.conftest import police_key
from tests.factories import payload
from tests.kafka_tools import read_topic


async def test_a_decision_becomes_referrals_to_the_right_agencies(settings, start_service):
    intake, intake_schema = await start_service("intake")
    await start_service("router")
    decision = payload(DiversionDecision, police_reference="13YE0777777", sex="female")
    decision["needs"] = [
        {"category": "women_specific_support", "severity": "medium"},
        {"category": "alcohol_misuse", "severity": "high", "preferred_mode": "face_to_face"},
    ]

    async with httpx.AsyncClient(base_url=intake.url) as http:
        key = await police_key(settings.database_url, intake_schema)
        answer = await http.post("/v1/decisions", json=decision, headers={"X-API-Key": key})
    assert answer.status_code == 201 and answer.json()["status"] == "open"

    records = await read_topic(settings.kafka, settings.topic(REFERRALS.name), at_least=2, timeout=60)
    issued = [
        payload
        for attributes, payload in (decode(r.headers, r.value, EVENT_TYPES) for r in records)
        if attributes.type == ReferralIssued.event_type
    ]
    assert sorted(r.agency_id for r in issued) == ["brighter-tomorrows", "substance-misuse-treatment"]
    assert {str(r.case_id) for r in issued} == {answer.json()["case_id"]}
    alcohol = next(r for r in issued if r.agency_id == "substance-misuse-treatment")
    assert alcohol.delivery_mode == "face_to_face", "high severity, face to face asked for"
