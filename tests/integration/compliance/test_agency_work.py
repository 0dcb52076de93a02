"""The agencies' work on a referral through both doors, on the real broker and database: caseworker, first contact,
the programme's own assessment, the action plan and the diversion team's decision on it, sessions, the end-of-service
report, case notes and safeguarding concerns — each authorised to the agency holding the referral (another agency's
key: 404; a police or operations key on an agency's step: 403) and audited."""

from __future__ import annotations

import uuid

import pytest

from platform_plumbing.api_keys import issue_key
from schemas.commands import (
    CaseworkerAssigned,
    ConcernRaised,
    FirstContactMade,
    ProgrammeAssessmentSubmitted,
)
from schemas.envelope import decode
from schemas.events import ProgrammeNeedsFound, ReferralWorkRecorded, SafeguardingConcernRecorded
from schemas.registry import MESSAGE_TYPES
from schemas.topics import AGENCY_REFERRALS, AGENCY_UPDATES, COMPLIANCE, CONCERNS, DEAD_LETTERS, REFERRALS
from services.compliance.adapters.gateway_clients import GatewayClient, add_client
from tests.integration.compliance.test_kafka_updates import AT
from tests.integration.compliance.test_outcomes import APPOINTMENT, complete_referral, schedule
from tests.kafka_tools import read_topic

WOMEN = "brighter-tomorrows"
TREATMENT = "substance-misuse-treatment"
PLAN = {
    "activities": [{"need": "women_specific_support", "activity": "Weekly group at the women's centre"}],
    "goals": [{"need": "women_specific_support", "goal": "Build a support network"}],
    "sessions_planned": 6,
}
AGENCY_STEPS = [
    ("caseworker", {"caseworker": "Sam Keeper"}),
    ("first-contact", {"method": "phone"}),
    ("assessment", {"needs": [{"category": "housing", "severity": "medium", "onward": "consented"}]}),
    ("action-plan", PLAN),
    (f"appointments/{APPOINTMENT}/session", {"engagement": "good"}),
    ("end-of-service-report", {"needs": [{"need": "women_specific_support", "outcome": "achieved"}]}),
    ("concerns", {"kind": "risk_to_a_child", "urgency": "immediate", "details": "Left alone at night."}),
    ("notes", {"text": "Prefers mornings."}),
]


async def published(compliance, topic: str, kind: type, at_least: int = 1) -> list:
    """The events of `kind` on `topic`, once each: a record sent again keeps its CloudEvents id (at least once)."""
    await compliance.outcomes()  # the outbox sent
    records = await read_topic(compliance.kafka, compliance.settings.topic(topic), at_least=at_least)
    unique = {
        attributes.id: event for attributes, event in (decode(r.headers, r.value, MESSAGE_TYPES) for r in records)
    }
    return [event for event in unique.values() if isinstance(event, kind)]


async def referral_detail(compliance, agency: str, referral) -> dict:
    response = await compliance.http.get(
        f"/v1/referrals/{referral}?purpose=reporting_progress", headers=compliance.as_agency(agency)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def add_police(compliance, force_id: str = "cambridgeshire") -> dict[str, str]:
    async with compliance.pool.acquire() as connection:
        client = GatewayClient(f"police-{force_id}", "police", None, f"police-{force_id}", force_id)
        await add_client(connection, client, now=compliance.clock.now())
        key = (await issue_key(connection, client.client_id, now=compliance.clock.now())).api_key
    return {"X-API-Key": key}


async def test_the_whole_work_of_a_referral_over_http_to_its_completion(compliance):
    case = await compliance.open_case()
    women = case.referrals[WOMEN]
    ops = compliance.as_agency("ops")

    async def step(action: str, body: dict) -> dict:
        response = await compliance.post(WOMEN, women, action, body)
        assert response.status_code == 200, response.text
        return response.json()

    compliance.clock.advance(days=1)  # Tuesday 3 March: a working day after the issue
    await step("accept", {})
    assert (await step("caseworker", {"caseworker": "Sam Keeper"}))["applied"] is True
    assert (await step("caseworker", {"caseworker": "Sam Keeper"}))["applied"] is False
    compliance.clock.advance(days=1)  # Wednesday 4 March
    await step("first-contact", {"method": "phone"})
    await step(
        "assessment",
        {
            "needs": [
                {"category": "women_specific_support", "severity": "medium", "onward": "not_needed"},
                {"category": "hidden_victimisation", "severity": "high", "onward": "consented"},
                {"category": "finances_benefits_debt", "severity": "medium", "onward": "refused"},
            ]
        },
    )
    await step("action-plan", PLAN)
    (awaiting,) = (await compliance.http.get("/v1/action-plans", headers=ops)).json()
    assert (awaiting["referral_id"], awaiting["agency_id"], awaiting["version"]) == (str(women), WOMEN, 1)
    returned = await compliance.http.post(
        f"/v1/action-plans/{awaiting['plan_id']}/return", json={"by": "Jo Duty", "reason": "Add a goal."}, headers=ops
    )
    assert returned.json()["status"] == "returned", returned.text
    cut_short = await compliance.post(WOMEN, women, "end-of-service-report", {"needs": []})
    assert cut_short.status_code == 409 and "approved" in cut_short.json()["message"]
    await step("action-plan", PLAN | {"goals": [*PLAN["goals"], {"need": "women_specific_support", "goal": "A job"}]})
    compliance.clock.advance(days=5)  # Monday 9 March: five working days after the issue
    (second,) = (await compliance.http.get("/v1/action-plans", headers=ops)).json()
    approved = await compliance.http.post(
        f"/v1/action-plans/{second['plan_id']}/approval", json={"by": "Jo Duty"}, headers=ops
    )
    assert (approved.json()["status"], approved.json()["version"]) == ("approved", 2)
    await schedule(compliance, WOMEN, women, APPOINTMENT)
    await step(f"appointments/{APPOINTMENT}/attended", {})
    await step(
        f"appointments/{APPOINTMENT}/session",
        {"engagement": "full", "concerning_behaviour": True, "notes": "Spoke of threats at home."},
    )
    compliance.clock.advance(days=7)  # Monday 16 March: ten working days
    early = await compliance.post(WOMEN, women, "completion", {})
    assert early.status_code == 409 and "end-of-service report" in early.json()["message"]
    await step(
        "end-of-service-report",
        {
            "needs": [{"need": "women_specific_support", "outcome": "achieved"}],
            "goals": [
                {"need": "women_specific_support", "goal": "Build a support network", "outcome": "achieved"},
                {"need": "women_specific_support", "goal": "A job", "outcome": "partly_achieved"},
            ],
            "summary": "Came to every group.",
        },
    )
    await step("completion", {})

    detail = await referral_detail(compliance, WOMEN, women)
    work = detail["work"]
    assert (detail["status"], work["caseworker"], work["first_contact_method"]) == ("completed", "Sam Keeper", "phone")
    assert work["action_plan"]["status"] == "approved" and work["end_of_service_report_at"] is not None
    assert [(s["engagement"], s["concerning_behaviour"]) for s in work["sessions"]] == [("full", True)]
    (found,) = await published(compliance, COMPLIANCE.name, ProgrammeNeedsFound)
    assert [(n.category.value, n.onward.value) for n in found.needs] == [
        ("women_specific_support", "not_needed"),
        ("hidden_victimisation", "consented"),
        ("finances_benefits_debt", "refused"),
    ]
    steps = [e.step.value for e in await published(compliance, AGENCY_REFERRALS.named(WOMEN), ReferralWorkRecorded, 10)]
    assert steps == [
        "caseworker_assigned",
        "first_contact_made",
        "action_plan_submitted",
        "action_plan_returned",
        "action_plan_submitted",
        "action_plan_approved",
        "session_recorded",
        "end_of_service_report_submitted",
    ]
    (concern,) = await published(compliance, CONCERNS.named("cambridgeshire"), SafeguardingConcernRecorded)
    assert (concern.case_id, concern.agency_id, concern.kind.value) == (case.case_id, WOMEN, "concerning_behaviour")
    assert "threats" not in concern.model_dump_json(), "the details are read over the API, never published"
    assert ("case", "completed") not in await compliance.changes(case.case_id), "the treatment referral is open"
    levels = await compliance.http.get("/v1/reports/service-levels", headers=ops)
    (women_levels,) = [row for row in levels.json() if row["agency_id"] == WOMEN]
    assert women_levels == {
        "agency_id": WOMEN,
        "month": "2026-03",
        "referrals": 1,
        "accepted": 1,
        "accepted_on_time": 1,
        "median_days_to_accepted": 1.0,
        "first_contact": 1,
        "first_contact_on_time": 1,
        "median_days_to_first_contact": 2.0,
        "plan_approved": 1,
        "median_days_to_plan_approved": 5.0,
        "report": 1,
        "median_days_to_report": 10.0,
    }
    (raised,) = (await compliance.http.get("/v1/reports/safeguarding", headers=ops)).json()
    assert (raised["kind"], raised["raised"], raised["acknowledged"]) == ("concerning_behaviour", 1, 0)


async def test_a_concern_reaches_the_forces_topic_and_waits_for_a_named_person(compliance):
    case = await compliance.open_case()
    police = await add_police(compliance)
    other_force = await add_police(compliance, "norfolk")
    ops = compliance.as_agency("ops")

    raised = await compliance.post(
        TREATMENT,
        case.referrals[TREATMENT],
        "concerns",
        {"kind": "risk_to_a_child", "urgency": "immediate", "details": "Said her son (7) is left alone at night."},
    )
    assert raised.status_code == 200, raised.text

    (recorded,) = await published(compliance, CONCERNS.named("cambridgeshire"), SafeguardingConcernRecorded)
    assert (recorded.urgency.value, recorded.police_reference) == ("immediate", case.opened.police_reference)
    (waiting,) = (await compliance.http.get("/v1/concerns?waiting=true", headers=ops)).json()
    assert waiting["concern_id"] == str(recorded.concern_id) and "details" not in waiting
    assert (await compliance.http.get("/v1/concerns", headers=other_force)).json() == []
    read = await compliance.http.get(f"/v1/concerns/{recorded.concern_id}", headers=police)
    assert read.json()["details"] == "Said her son (7) is left alone at night."
    hidden = await compliance.http.get(f"/v1/concerns/{recorded.concern_id}", headers=other_force)
    assert hidden.status_code == 404
    taken = await compliance.http.post(
        f"/v1/concerns/{recorded.concern_id}/acknowledgement", json={"by": "Jo Duty"}, headers=ops
    )
    assert taken.json()["acknowledged_by"] == "Jo Duty"
    again = await compliance.http.post(
        f"/v1/concerns/{recorded.concern_id}/acknowledgement", json={"by": "Sam Late"}, headers=ops
    )
    assert again.json()["acknowledged_by"] == "Jo Duty", "the first to take it on is recorded"
    assert (await compliance.http.get("/v1/concerns?waiting=true", headers=ops)).json() == []
    audit = await compliance.pool.fetch(
        "SELECT actor, action, purpose FROM audit_log WHERE case_id = $1 AND detail = 'read concern'", case.case_id
    )
    assert [tuple(a) for a in audit] == [("police-cambridgeshire", "disclosure", "safeguarding")]


async def test_notes_between_an_agency_and_the_diversion_team_each_read_audited(compliance):
    case = await compliance.open_case()
    women = case.referrals[WOMEN]
    ops = compliance.as_agency("ops")
    assert (await compliance.post(WOMEN, women, "notes", {"text": "Prefers mornings."})).status_code == 200
    compliance.clock.advance(minutes=5)
    by_team = await compliance.http.post(f"/v1/referrals/{women}/notes", json={"text": "Noted."}, headers=ops)
    assert by_team.status_code == 200, by_team.text

    read = await compliance.http.get(f"/v1/referrals/{women}/notes", headers=compliance.as_agency(WOMEN))

    assert [(n["author"], n["text"]) for n in read.json()] == [
        ("agency", "Prefers mornings."),
        ("diversion_team", "Noted."),
    ]
    reads = await compliance.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE case_id = $1 AND detail = 'read 2 note(s)'", case.case_id
    )
    assert reads == 1
    stored = await compliance.pool.fetch("SELECT text FROM case_notes")
    assert stored and all("Prefers" not in r["text"] for r in stored), "kept sealed"


@pytest.mark.parametrize(("action", "body"), AGENCY_STEPS)
async def test_every_agency_step_is_the_holding_agencys_alone(compliance, action, body):
    case = await compliance.open_case()
    women = case.referrals[WOMEN]
    police = await add_police(compliance)

    another_agency = await compliance.post(TREATMENT, women, action, body)
    operations = await compliance.http.post(
        f"/v1/referrals/{women}/{action}", json=body, headers=compliance.as_agency("ops")
    )
    police_key = await compliance.http.post(f"/v1/referrals/{women}/{action}", json=body, headers=police)

    assert another_agency.status_code == 404, another_agency.text
    if action != "notes":  # the diversion team writes notes too
        assert operations.status_code == 403, operations.text
    assert police_key.status_code == 403, police_key.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/action-plans", None),
        ("POST", "/v1/action-plans/{plan}/approval", {"by": "Jo Duty"}),
        ("POST", "/v1/action-plans/{plan}/return", {"by": "Jo Duty", "reason": "Add a goal."}),
        ("GET", "/v1/concerns", None),
        ("POST", "/v1/concerns/{concern}/acknowledgement", {"by": "Jo Duty"}),
    ],
)
async def test_the_diversion_teams_routes_refuse_an_agency(compliance, method, path, body):
    case = await compliance.open_case()
    ids = {"plan": uuid.uuid4(), "concern": uuid.uuid4()}
    police = await add_police(compliance)

    as_agency = await compliance.http.request(
        method, path.format(**ids), json=body, headers=compliance.as_agency(WOMEN)
    )
    assert as_agency.status_code == 403, as_agency.text
    if method == "POST":
        as_police = await compliance.http.request(method, path.format(**ids), json=body, headers=police)
        assert as_police.status_code == 403
        unknown = await compliance.http.request(
            method, path.format(**ids), json=body, headers=compliance.as_agency("ops")
        )
        assert unknown.status_code == 404, unknown.text
    assert case.case_id


async def test_the_same_steps_over_kafka_are_applied_as_over_http_and_a_forged_one_is_dead_lettered(compliance):
    case = await compliance.open_case()
    treatment = case.referrals[TREATMENT]
    ids = {"case_id": case.case_id, "referral_id": treatment, "agency_id": TREATMENT, "occurred_at": AT}
    assert (await compliance.post(TREATMENT, treatment, "accept")).status_code == 200

    await compliance.send(
        AGENCY_UPDATES.named(TREATMENT),
        CaseworkerAssigned(**ids, caseworker="Ash Keeper"),
        FirstContactMade(**ids, method="text_message"),
        ProgrammeAssessmentSubmitted(
            **ids,
            assessment_id=uuid.uuid4(),
            needs=[{"category": "housing", "severity": "high", "onward": "consented"}],
        ),
        ConcernRaised(
            **ids, concern_id=uuid.uuid4(), kind="risk_to_self", urgency="within_24_hours", details="Said so."
        ),
        CaseworkerAssigned(**(ids | {"referral_id": case.referrals[WOMEN]}), caseworker="Not Theirs"),
    )

    work = (await referral_detail(compliance, TREATMENT, treatment))["work"]
    assert (work["caseworker"], work["first_contact_method"]) == ("Ash Keeper", "text_message")
    (found,) = await published(compliance, COMPLIANCE.name, ProgrammeNeedsFound)
    assert (found.referral_id, found.agency_id) == (treatment, TREATMENT)
    (concern,) = await published(compliance, CONCERNS.named("cambridgeshire"), SafeguardingConcernRecorded)
    assert concern.kind.value == "risk_to_self"
    (dead,) = await read_topic(compliance.kafka, compliance.settings.topic(DEAD_LETTERS.name), at_least=1)
    assert dict(dead.headers)["dlq_reason"].startswith(b"NotYourReferral")
    audit = await compliance.pool.fetch(
        "SELECT DISTINCT actor FROM audit_log WHERE referral_id = $1 AND detail LIKE '%caseworker%'", treatment
    )
    assert [a["actor"] for a in audit] == [f"agency-{TREATMENT}"], "the Kafka principal the broker authenticated"


async def test_an_onward_referral_is_reported_where_it_went_and_never_holds_up_the_case(compliance):
    """The case completes with its onward referral still open; the platform's tracking of it ends with the case
    (cancelled: case closed), the agency's support need not."""
    case = await compliance.open_case()
    women = case.referrals[WOMEN]
    issued = case.issued[0]
    onward = type(issued).model_validate(
        issued.model_dump()
        | {
            "referral_id": uuid.uuid4(),
            "agency_id": "victim-support",
            "needs": [{"category": "hidden_victimisation", "severity": "high"}],
            "onward_from": women,
        }
    )
    await compliance.send(REFERRALS.name, onward)

    for agency in (WOMEN, TREATMENT):
        await complete_referral(compliance, agency, case.referrals[agency])

    assert (await compliance.changes(case.case_id))[-2:] == [("case", "completed"), ("referral", "cancelled")]
    rows = (await compliance.http.get("/v1/reports/onward-referrals", headers=compliance.as_agency("ops"))).json()
    assert rows == [{"found_by": WOMEN, "destination": "victim-support", "outcome": "cancelled", "referrals": 1}]


async def test_what_a_command_refuses_is_answered_as_the_callers_input_never_a_server_error(compliance):
    """Found by the gateway's property-based run: the request's model let through what the command's refuses."""
    case = await compliance.open_case()
    women = case.referrals[WOMEN]
    assert (await compliance.post(WOMEN, women, "accept")).status_code == 200
    twice = {"category": "housing", "severity": "low", "onward": "refused"}

    answer = await compliance.post(WOMEN, women, "assessment", {"needs": [twice, twice]})

    assert answer.status_code == 422, answer.text
    assert "each need category at most once" in answer.text


async def test_another_agency_cannot_read_the_notes_nor_a_police_key_write_them(compliance):
    case = await compliance.open_case()
    women = case.referrals[WOMEN]
    assert (await compliance.post(WOMEN, women, "notes", {"text": "Prefers mornings."})).status_code == 200
    police = await add_police(compliance)

    other = await compliance.http.get(f"/v1/referrals/{women}/notes", headers=compliance.as_agency(TREATMENT))
    by_police = await compliance.http.get(f"/v1/referrals/{women}/notes", headers=police)

    assert other.status_code == 404 and "Prefers" not in other.text
    assert by_police.status_code == 403
