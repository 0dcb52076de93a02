"""The police report condition progress and decide after a breach, over HTTP and on Kafka: checked against
the case as intake knows it, refused with the reason, recorded, audited and published for compliance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from schemas.calendar import local_date
from schemas.commands import BreachDecision, ConditionProgress
from schemas.events import BreachDecisionRecorded, ConditionProgressReported
from schemas.topics import CASES, DEAD_LETTERS, DECISIONS
from tests.factories import agency_condition_payload, compensation_condition_payload
from tests.integration.intake.conftest import FORCE
from tests.integration.intake.test_http_decisions import decision
from tests.integration.intake.test_kafka_commands import command_record
from tests.integration.intake.test_outcomes_followed import case_changed
from tests.kafka_tools import read_topic

DECIDED = datetime.now(UTC) - timedelta(weeks=17)
"""Cases decided 17 weeks ago: the 16-week deadline passed a week ago, the 20-week maximum is 3 weeks away."""
DEADLINE = local_date(DECIDED) + timedelta(weeks=16)
MAXIMUM = local_date(DECIDED) + timedelta(weeks=20)


async def open_case(intake, reference: str, *conditions: dict) -> dict:
    body = decision(reference, decided_at=DECIDED.isoformat())
    body["conditions"] = list(conditions) or body["conditions"]
    assert (await intake.http.post("/v1/decisions", json=body)).status_code == 201
    return (await intake.http.get(f"/v1/cases/{reference}")).json()


async def published(intake, event_type: str, at_least: int = 1) -> list[dict]:
    records = await read_topic(intake.kafka, intake.settings.topic(CASES.name), at_least=at_least)
    return [json.loads(r.value) for r in records if dict(r.headers)["ce_type"] == event_type.encode()]


def progress_path(reference: str, condition: dict) -> str:
    return f"/v1/cases/{reference}/conditions/{condition['condition']['condition_id']}/progress"


async def test_the_victim_contact_role_reports_compensation_instalments(intake):
    unpaid_work = {
        "kind": "punitive",
        "description": "Unpaid work",
        "evidence": "hours_worked",
        "reported_by": "officer",
        "hours": 10,
    }
    case = await open_case(intake, "13YE0000400", compensation_condition_payload(15_000), unpaid_work)
    compensation, work = case["conditions"]
    victim = {"X-API-Key": await intake.new_key("victim-contact", "cambridgeshire", role="victim_contact")}

    first = await intake.http.post(
        progress_path("13YE0000400", compensation),
        json={"report": "payment_received", "amount_pence": 5000},
        headers=victim,
    )
    on_work = await intake.http.post(
        progress_path("13YE0000400", work), json={"report": "hours_completed", "hours": 2}, headers=victim
    )
    decide = await intake.http.post("/v1/decisions", json=decision("13YE0000401"), headers=victim)
    conditions = await intake.http.get("/v1/cases/13YE0000400/conditions", headers=victim)
    whole_case = await intake.http.get("/v1/cases/13YE0000400", headers=victim)

    assert first.status_code == 200 and first.json()["recorded"] == "condition progress", first.text
    assert on_work.status_code == 409
    assert on_work.json()["message"] == "the victim-contact role reports reparation and compensation only"
    assert decide.status_code == whole_case.status_code == 403
    assert [c["condition"]["kind"] for c in conditions.json()] == ["compensation", "punitive"]
    [reported] = await published(intake, ConditionProgressReported.event_type, at_least=2)
    assert (reported["reported_by"], reported["report"], reported["amount_pence"]) == (
        "victim_contact",
        "payment_received",
        5000,
    )
    audit = await intake.pool.fetch("SELECT actor, action, purpose, detail FROM audit_log WHERE action = 'alteration'")
    assert [tuple(row) for row in audit] == [
        ("victim-contact", "alteration", "compliance_monitoring", "condition progress reported by victim_contact")
    ]


async def test_a_report_that_does_not_fit_its_condition_is_refused_with_the_reason(intake):
    case = await open_case(intake, "13YE0000402", agency_condition_payload(), compensation_condition_payload())
    delivered, compensation = case["conditions"]

    by_officer = await intake.http.post(progress_path("13YE0000402", delivered), json={"report": "completed"})
    wrong_evidence = await intake.http.post(
        progress_path("13YE0000402", compensation), json={"report": "hours_completed", "hours": 3}
    )
    no_amount = await intake.http.post(progress_path("13YE0000402", compensation), json={"report": "payment_received"})
    unknown = await intake.http.post(
        "/v1/cases/13YE0000402/conditions/00000000-0000-4000-8000-000000000000/progress", json={"report": "completed"}
    )

    assert by_officer.status_code == 409 and "reported by the agency that delivers it" in by_officer.json()["message"]
    assert wrong_evidence.status_code == 409
    assert wrong_evidence.json()["message"] == "this condition is evidenced by payment, not hours_completed"
    assert no_amount.status_code == 422
    assert unknown.status_code == 409 and unknown.json()["message"] == "the case has no condition with this id"


async def test_a_breach_decision_is_recorded_once_per_breach_and_published(intake):
    case = await open_case(intake, "13YE0000403")
    await intake.follow(
        case_changed(
            case["case_id"],
            "awaiting_police_decision",
            sequence=3,
            reason="missed_appointment",
            next_step="prosecution_decision",
        )
    )
    continue_after_excuse = {
        "decision": "reasonable_excuse",
        "officer": "PC1234",
        "reason": "In hospital on both days.",
        "breach_sequence": 3,
        "complete_by": MAXIMUM.isoformat(),
    }

    stale = await intake.http.post(
        "/v1/cases/13YE0000403/breach-decision", json={**continue_after_excuse, "breach_sequence": 2}
    )
    too_late = await intake.http.post(
        "/v1/cases/13YE0000403/breach-decision",
        json={**continue_after_excuse, "complete_by": (MAXIMUM + timedelta(days=1)).isoformat()},
    )
    no_new_deadline = await intake.http.post(
        "/v1/cases/13YE0000403/breach-decision", json={**continue_after_excuse, "complete_by": None}
    )
    recorded = await intake.http.post("/v1/cases/13YE0000403/breach-decision", json=continue_after_excuse)
    twice = await intake.http.post("/v1/cases/13YE0000403/breach-decision", json=continue_after_excuse)

    assert stale.status_code == 409 and "breach_sequence 3" in stale.json()["message"]
    assert too_late.status_code == 409 and f"legal maximum ({MAXIMUM.isoformat()})" in too_late.json()["message"]
    assert no_new_deadline.status_code == 409
    assert no_new_deadline.json()["message"] == "the deadline has passed: a reasonable excuse must give a new one"
    assert recorded.status_code == 200 and recorded.json()["complete_by"] == MAXIMUM.isoformat()
    assert (await intake.http.get("/v1/cases/13YE0000403")).json()["complete_by"] == MAXIMUM.isoformat()
    assert twice.status_code == 409 and twice.json()["message"] == "a decision on this breach was already recorded"
    [event] = await published(intake, BreachDecisionRecorded.event_type, at_least=2)
    assert (event["decision"], event["officer"], event["breach_sequence"], event["complete_by"]) == (
        "reasonable_excuse",
        "PC1234",
        3,
        MAXIMUM.isoformat(),
    )
    assert "person_consented_to_variation" not in event or event["person_consented_to_variation"] is None
    decisions = await intake.pool.fetch("SELECT actor, fields FROM audit_log WHERE detail LIKE 'breach decision:%'")
    assert [(row["actor"], "complete_by" in row["fields"]) for row in decisions] == [("test-police", True)]


async def test_a_case_that_could_not_be_complied_with_is_never_prosecuted(intake):
    case = await open_case(intake, "13YE0000404")
    await intake.follow(
        case_changed(case["case_id"], "awaiting_police_decision", sequence=1, reason="no_place_available")
    )

    prosecute = await intake.http.post(
        "/v1/cases/13YE0000404/breach-decision",
        json={"decision": "prosecute", "officer": "PC1", "reason": "x", "breach_sequence": 1},
    )

    assert prosecute.status_code == 409 and "want of a place" in prosecute.json()["message"]


async def test_varied_conditions_are_held_to_the_policy_naming_each_rule(intake):
    case = await open_case(intake, "13YE0000405")
    await intake.follow(case_changed(case["case_id"], "awaiting_police_decision", sequence=1, reason="deadline_passed"))
    unpaid_work = {
        "kind": "punitive",
        "description": "Unpaid work",
        "evidence": "hours_worked",
        "reported_by": "officer",
        "hours": 30,
    }

    variation = {
        "decision": "reasonable_excuse",
        "officer": "PC1",
        "reason": "Moved house.",
        "breach_sequence": 1,
        "complete_by": MAXIMUM.isoformat(),
        "varied_conditions": [unpaid_work],
    }

    without_consent = await intake.http.post("/v1/cases/13YE0000405/breach-decision", json=variation)
    refused = await intake.http.post(
        "/v1/cases/13YE0000405/breach-decision", json={**variation, "person_consents_to_variation": True}
    )

    assert without_consent.status_code == 409 and without_consent.json()["error"] == "policy_refused"
    assert "may be varied only with the person's consent" in without_consent.json()["message"]
    assert refused.status_code == 409 and refused.json()["error"] == "policy_refused"
    assert (
        "attendance_hours: 30 h of unpaid work or non-rehabilitative attendance; limit 20 h "
        "(Criminal Justice Act 2003 s.22(3B))" in refused.json()["message"]
    )

    within_the_law = {**variation, "varied_conditions": [{**unpaid_work, "hours": 20}]}
    varied = await intake.http.post(
        "/v1/cases/13YE0000405/breach-decision", json={**within_the_law, "person_consents_to_variation": True}
    )
    assert varied.status_code == 200, varied.text
    [event] = await published(intake, BreachDecisionRecorded.event_type, at_least=2)
    assert (event["varied_conditions"][0]["hours"], event["person_consented_to_variation"]) == (20, True)
    recorded = await intake.pool.fetchval("SELECT person_consented_to_variation FROM breach_decisions")
    assert recorded is True, "the person's consent to the variation is recorded with the decision"


async def test_condition_reports_and_breach_decisions_arrive_on_kafka_too_and_bad_ones_are_dead_lettered(intake):
    case = await open_case(intake, "13YE0000406", compensation_condition_payload(2000))
    [compensation] = case["conditions"]
    await intake.follow(case_changed(case["case_id"], "awaiting_police_decision", sequence=1, reason="deadline_passed"))
    paid = ConditionProgress(
        force_id="cambridgeshire",
        police_reference="13YE0000406",
        condition_id=compensation["condition"]["condition_id"],
        reported_by="victim_contact",
        report="payment_received",
        amount_pence=2000,
        occurred_at="2025-04-01T10:00:00+00:00",
    )
    decided = BreachDecision(
        force_id="cambridgeshire",
        police_reference="13YE0000406",
        decision="no_further_action",
        breach_sequence=1,
        officer="PC77",
        decided_at="2025-04-02T10:00:00+00:00",
        reason="Paid in full.",
    )
    wrong_breach = decided.model_copy(update={"breach_sequence": 0})

    await intake.send(
        DECISIONS.named(FORCE),
        command_record(paid, "paid", "13YE0000406"),
        command_record(decided, "decided", "13YE0000406"),
        command_record(wrong_breach, "wrong", "13YE0000406"),
    )

    assert len(await published(intake, ConditionProgressReported.event_type, at_least=3)) == 1
    assert len(await published(intake, BreachDecisionRecorded.event_type, at_least=3)) == 1
    dead = await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=1)
    assert [dict(r.headers)["ce_id"] for r in dead] == [b"wrong"]
    assert b"the case has changed since that breach" in dict(dead[0].headers)["dlq_reason"]
