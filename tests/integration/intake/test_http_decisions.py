"""Police decisions over HTTP on the real broker and database: explained outcome, events, idempotency."""

from __future__ import annotations

import asyncpg
from cloudevents.core.bindings import kafka as ce_kafka

from platform_plumbing import keyring
from schemas.commands import DiversionDecision
from schemas.events import CaseOpened, CaseRejected
from schemas.topics import CASES
from tests.factories import payload
from tests.kafka_tools import read_topic
from tests.sealing import service_keys


def decision(reference: str = "13YE0000001", **overrides) -> dict:
    body = payload(DiversionDecision, police_reference=reference, **overrides)
    body["needs"] = [{"category": "alcohol_misuse", "severity": "medium", "preferred_mode": "face_to_face"}]
    return body


async def _wrapped_key(admin_url: str, case_id) -> bytes:
    connection = await asyncpg.connect(admin_url)
    try:
        return await keyring.wrapped_key(connection, case_id)
    finally:
        await connection.close()


async def case_events(intake, at_least: int):
    """The case topic's records, decoded by the official CloudEvents SDK (not our code)."""
    records = await read_topic(intake.kafka, intake.settings.topic(CASES.name), at_least=at_least)
    return [
        (r.key, ce_kafka.from_binary_event(ce_kafka.KafkaMessage(headers=dict(r.headers), key=r.key, value=r.value)))
        for r in records
    ]


async def test_an_eligible_decision_opens_a_case_and_publishes_it(intake, settings):
    response = await intake.http.post("/v1/decisions", json=decision())

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "open" and body["eligible"] is True and body["replayed"] is False
    assert body["complete_by"] == "2025-06-23"  # 16 weeks after 2025-03-03
    assert {o["rule"] for o in body["rule_outcomes"]} >= {"age_band", "gravity", "da_risk"}
    assert all(o["passed"] for o in body["rule_outcomes"])

    events = await case_events(intake, at_least=1)
    assert [event.get_type() for _, event in events] == [CaseOpened.event_type]
    key, opened = events[0]
    assert key == body["case_id"].encode()
    assert opened.get_source() == "/diversion/intake"
    data = CaseOpened.model_validate(opened.get_data())
    assert str(data.case_id) == body["case_id"]
    wrapped = await _wrapped_key(settings.database_url, data.case_id)
    opened_personal = service_keys().unwrap(data.case_id, wrapped).open(data.personal.model_dump(exclude_none=True))
    assert opened_personal["family_name"] == "Example", "sealed under the case's key, which the keyring keeps"
    records = await read_topic(intake.kafka, intake.settings.topic(CASES.name), at_least=1)
    assert not any(b"Example" in r.value or b"Alex" in r.value for r in records), "never in clear on the topic"
    assert "Example" not in str(opened.get_data()["subject_ref"])
    assert [need.category for need in data.needs] == ["alcohol_misuse"], "the needs assessed with the decision"
    assert [(c.kind, c.reported_by) for c in data.conditions] == [
        ("rehabilitative", "agency"),
        ("reparative", "officer"),
    ]
    assert len({c.condition_id for c in data.conditions}) == 2


async def test_an_ineligible_decision_is_recorded_and_published_as_rejected_with_reasons(intake):
    body = decision(age_at_offence=17)  # an adult conditional caution for a 17-year-old

    response = await intake.http.post("/v1/decisions", json=body)

    assert response.status_code == 201
    outcome = response.json()
    assert outcome["status"] == "rejected" and outcome["complete_by"] is None
    failed = [o for o in outcome["rule_outcomes"] if not o["passed"]]
    assert [o["rule"] for o in failed] == ["age_band"]
    assert "17" in failed[0]["reason"]
    events = await case_events(intake, at_least=1)
    assert [event.get_type() for _, event in events] == [CaseRejected.event_type]
    rejected = CaseRejected.model_validate(events[0][1].get_data())
    assert [o.rule for o in rejected.rule_outcomes if not o.passed] == ["age_band"]
    assert "personal" not in events[0][1].get_data()


async def test_a_resubmitted_decision_returns_the_original_result_and_opens_no_second_case(intake):
    first = await intake.http.post("/v1/decisions", json=decision("13YE0000002"))
    again = await intake.http.post("/v1/decisions", json=decision("13YE0000002", disposal_type="community_resolution"))
    keyed = await intake.http.post("/v1/decisions", json=decision("13YE0000003"), headers={"Idempotency-Key": "k-1"})
    same_key = await intake.http.post("/v1/decisions", json=decision("13YE0000004"), headers={"Idempotency-Key": "k-1"})

    assert (first.status_code, again.status_code, keyed.status_code, same_key.status_code) == (201, 200, 201, 200)
    assert again.json()["case_id"] == first.json()["case_id"] and again.json()["replayed"] is True
    assert again.json()["status"] == "open"
    assert same_key.json()["case_id"] == keyed.json()["case_id"]
    assert await intake.pool.fetchval("SELECT count(*) FROM cases") == 2
    events = await case_events(intake, at_least=2)
    assert sum(event.get_type() == CaseOpened.event_type for _, event in events) == 2


async def test_a_case_can_be_read_with_its_deadline_and_history(intake):
    created = (await intake.http.post("/v1/decisions", json=decision("13YE0000005"))).json()

    extended = await intake.http.post("/v1/cases/13YE0000005/deadline-extension", json={"reason": "subject_unwell"})
    status = await intake.http.get("/v1/cases/13YE0000005")

    assert extended.status_code == 200 and extended.json()["complete_by"] == "2025-07-21"  # 20 weeks
    body = status.json()
    assert body["case_id"] == created["case_id"]
    assert body["deadline_extended"] is True and body["complete_by"] == "2025-07-21"
    assert [h["what"] for h in body["history"]] == ["case opened", "deadline extended"]
    assert body["needs"][0]["category"] == "alcohol_misuse"
    assert [(c["condition"]["kind"], c["status"]) for c in body["conditions"]] == [
        ("rehabilitative", "open"),
        ("reparative", "open"),
    ]
    assert body["referrals"] == [] and body["breach_sequence"] == 0
    again = await intake.http.post("/v1/cases/13YE0000005/deadline-extension", json={"reason": "subject_unwell"})
    assert again.status_code == 409 and again.json()["error"] == "extension_refused"
