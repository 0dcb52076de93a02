"""A partner agency's whole work on real processes: the police divert a woman to Brighter Tomorrows; its own
assessment finds hidden victimisation she agrees to be referred on for, and money trouble she does not; the router
refers her onward to victim support (her details go there, with her consent, and nowhere for the need she refused);
the police see the assessment on the case; the diversion team approves the action plan; sessions are recorded, a
safeguarding concern reaches the force's topic, the end-of-service report goes in and the referral completes — and
with it the case, the onward referral never holding it up. Afterwards the books balance."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from schemas.commands import DiversionDecision
from schemas.envelope import decode
from schemas.events import SafeguardingConcernRecorded
from schemas.registry import MESSAGE_TYPES
from schemas.topics import CONCERNS
from tests.e2e.conftest import agency_key, operations_key, police_key
from tests.e2e.test_police_to_outcome import _balanced
from tests.factories import agency_condition_payload, payload
from tests.kafka_tools import eventually, read_topic

WOMEN = "brighter-tomorrows"
VICTIMS = "victim-support"
READ = {"purpose": "delivering_intervention"}


async def test_from_referral_through_assessment_onward_referral_plan_sessions_and_report_to_completion(
    settings, infrastructure, start_service, namespace
):
    intake, intake_schema = await start_service("intake")
    await start_service("router")
    gateway, compliance_schema = await start_service("compliance")
    police = {"X-API-Key": await police_key(settings.database_url, intake_schema)}
    keys = {agency: await agency_key(settings.database_url, compliance_schema, agency) for agency in (WOMEN, VICTIMS)}
    ops = {"X-API-Key": await operations_key(settings.database_url, compliance_schema)}
    reference = "13YE" + uuid.uuid4().hex[:7].upper()
    decision = payload(
        DiversionDecision,
        police_reference=reference,
        decided_at=datetime.now(UTC).isoformat(),
        needs=[{"category": "women_specific_support", "severity": "medium"}],
        conditions=[agency_condition_payload(addresses_need="women_specific_support")],
    )

    async with (
        httpx.AsyncClient(base_url=intake.url, headers=police, timeout=30) as intake_http,
        httpx.AsyncClient(base_url=gateway.url, timeout=30) as gateway_http,
    ):

        async def as_agency(agency: str, action: str, body: dict, referral: str) -> dict:
            answer = await gateway_http.post(
                f"/v1/referrals/{referral}/{action}", json=body, headers={"X-API-Key": keys[agency]}
            )
            assert answer.status_code == 200, f"{agency} {action}: {answer.text}"
            return answer.json()

        async def listed(agency: str) -> list[dict]:
            return (await gateway_http.get("/v1/referrals", headers={"X-API-Key": keys[agency]})).json()

        opened = await intake_http.post("/v1/decisions", json=decision)
        assert opened.status_code == 201, opened.text
        (women,) = await eventually(lambda: listed(WOMEN), timeout=60)
        referral = women["referral_id"]
        for action, body in [
            ("accept", {}),
            ("caseworker", {"caseworker": "Sam Keeper"}),
            ("first-contact", {"method": "phone"}),
            (
                "assessment",
                {
                    "needs": [
                        {"category": "women_specific_support", "severity": "medium", "onward": "not_needed"},
                        {"category": "hidden_victimisation", "severity": "high", "onward": "consented"},
                        {"category": "finances_benefits_debt", "severity": "medium", "onward": "refused"},
                    ]
                },
            ),
        ]:
            await as_agency(WOMEN, action, body, referral)

        (onward,) = await eventually(lambda: listed(VICTIMS), timeout=60)
        assert (onward["onward_from"], onward["needs"]) == (referral, ["hidden_victimisation"])
        detail = await gateway_http.get(
            f"/v1/referrals/{onward['referral_id']}", params=READ, headers={"X-API-Key": keys[VICTIMS]}
        )
        assert detail.json()["personal"]["phone"] == "+44 7700 900123", "she agreed: her details went with it"
        assert [n["category"] for n in detail.json()["brief"]["needs"]] == ["hidden_victimisation"]
        case = await eventually(lambda: _assessed(intake_http, reference), timeout=60)
        (assessment,) = case["programme_assessments"]
        assert (assessment["agency_id"], len(assessment["needs"])) == (WOMEN, 3)

        plan = {
            "activities": [{"need": "women_specific_support", "activity": "Weekly group at the women's centre"}],
            "goals": [{"need": "women_specific_support", "goal": "Build a support network"}],
            "sessions_planned": 4,
        }
        await as_agency(WOMEN, "action-plan", plan, referral)
        (awaiting,) = (await gateway_http.get("/v1/action-plans", headers=ops)).json()
        approved = await gateway_http.post(
            f"/v1/action-plans/{awaiting['plan_id']}/approval", json={"by": "DS Jo Duty"}, headers=ops
        )
        assert approved.json()["status"] == "approved", approved.text
        for number in range(2):
            appointment = str(uuid.uuid4())
            when = (datetime.now(UTC) - timedelta(hours=2 - number)).isoformat()
            appointment_body = {
                "appointment_id": appointment,
                "purpose": "intervention_session",
                "scheduled_for": when,
                "mode": "face_to_face",
            }
            await as_agency(WOMEN, "appointments", appointment_body, referral)
            await as_agency(WOMEN, f"appointments/{appointment}/attended", {}, referral)
            session = {"engagement": "good", "concerning_behaviour": number == 1, "notes": "Spoke of threats."}
            await as_agency(WOMEN, f"appointments/{appointment}/session", session, referral)
        report = {
            "needs": [{"need": "women_specific_support", "outcome": "achieved"}],
            "goals": [{"need": "women_specific_support", "goal": "Build a support network", "outcome": "achieved"}],
            "summary": "Came to every group; now volunteers there.",
        }
        await as_agency(WOMEN, "end-of-service-report", report, referral)
        await as_agency(WOMEN, "completion", {}, referral)

        final = await eventually(lambda: _status(intake_http, reference, "completed"), timeout=60)

    assert [r["status"] for r in final["referrals"] if r["referral_id"] == referral] == ["completed"]
    records = await read_topic(settings.kafka, settings.topic(CONCERNS.named("cambridgeshire")), at_least=1)
    (concern,) = [decode(r.headers, r.value, MESSAGE_TYPES)[1] for r in records]
    assert isinstance(concern, SafeguardingConcernRecorded)
    assert (concern.police_reference, concern.kind.value, concern.agency_id) == (
        reference,
        "concerning_behaviour",
        WOMEN,
    )
    books = await eventually(lambda: _balanced(settings, infrastructure, namespace), timeout=60)
    assert books.totals["concerns"] == {"compliance": 1, "force topics": 1}
    assert books.totals["assessments"] == {"compliance": 1, "intake": 1, "router": 1}
    assert books.totals["referrals"]["compliance"] == 2, "the onward referral beside the police's"


async def _assessed(http: httpx.AsyncClient, reference: str) -> dict | None:
    case = (await http.get(f"/v1/cases/{reference}")).json()
    return case if case.get("programme_assessments") else None


async def _status(http: httpx.AsyncClient, reference: str, status: str) -> dict | None:
    case = (await http.get(f"/v1/cases/{reference}")).json()
    return case if case["status"] == status else None
