"""The whole flow on real processes: police decisions through intake and the router to agencies' updates
over HTTP, the officer's and the police's own reports and decisions, and the outcomes — and afterwards
every service holds the same about every case, condition and referral (the books balance)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from platform_plumbing.database_roles import OPERATIONS_ROLE
from schemas.calendar import local_date
from schemas.commands import DiversionDecision
from services.operations.books import check_books
from tests.agency_work import report_the_work
from tests.e2e.conftest import agency_key, police_key
from tests.factories import agency_condition_payload, letter_condition_payload, payload
from tests.kafka_tools import eventually

AGENCY = "substance-misuse-treatment"
DONE = {"goals": [{"need": "alcohol_misuse", "goal": "finish treatment", "outcome": "achieved"}]}


def decision(reference: str, decided_at: datetime, conditions: list[dict], needs: list[dict], **overrides) -> dict:
    return payload(
        DiversionDecision,
        police_reference=reference,
        decided_at=decided_at.isoformat(),
        conditions=conditions,
        needs=needs,
        **overrides,
    )


ALCOHOL = [{"category": "alcohol_misuse", "severity": "medium"}]


async def test_from_decision_through_breach_and_police_decision_to_every_outcome(
    settings, infrastructure, start_service, namespace
):
    intake, intake_schema = await start_service("intake")
    await start_service("router")
    gateway, compliance_schema = await start_service("compliance", COMPLIANCE_SWEEP_SECONDS="1")
    now = datetime.now(UTC)
    overdue = now - timedelta(weeks=17)
    police = {"X-API-Key": await police_key(settings.database_url, intake_schema)}
    agency = {"X-API-Key": await agency_key(settings.database_url, compliance_schema, AGENCY)}
    plans = {
        "excused then completed": decision(_ref(), now, [agency_condition_payload()], ALCOHOL),
        "completed": decision(_ref(), now, [agency_condition_payload()], ALCOHOL),
        "letter never sent": decision(_ref(), overdue, [letter_condition_payload()], []),
        "absences then prosecuted": decision(_ref(), now, [agency_condition_payload()], ALCOHOL),
        "no place available": decision(
            _ref(), overdue, [agency_condition_payload(addresses_need="da_perpetrator_programme")], []
        ),
        "resolution not completed": decision(_ref(), now, [], ALCOHOL, disposal_type="community_resolution"),
    }

    async with (
        httpx.AsyncClient(base_url=intake.url, headers=police, timeout=30) as intake_http,
        httpx.AsyncClient(base_url=gateway.url, headers=agency, timeout=30) as gateway_http,
    ):
        refs = {}
        for name, body in plans.items():
            answer = await intake_http.post("/v1/decisions", json=body)
            assert answer.status_code == 201 and answer.json()["status"] == "open", answer.text
            refs[name] = body["police_reference"]
        cases = {name: (await intake_http.get(f"/v1/cases/{ref}")).json()["case_id"] for name, ref in refs.items()}
        referrals = await eventually(lambda: _referrals_by_case(gateway_http, cases, without=_NO_REFERRAL), timeout=60)

        await _complete(gateway_http, referrals["completed"])
        await _complete(gateway_http, referrals["excused then completed"], miss_twice_first=True)
        await _miss_twice(gateway_http, referrals["absences then prosecuted"])
        await gateway_http.post(f"/v1/referrals/{referrals['resolution not completed']}/disengagement", json={})

        awaiting = await eventually(lambda: _statuses(intake_http, refs, "awaiting_police_decision", 4), timeout=60)
        assert {name: case["reason"] for name, case in awaiting.items()} == {
            "excused then completed": "missed_appointment",
            "absences then prosecuted": "missed_appointment",
            "letter never sent": "deadline_passed",
            "no place available": "no_place_available",
        }
        maximum = local_date(now) + timedelta(weeks=20)
        for name, body in [
            ("excused then completed", {"decision": "reasonable_excuse", "complete_by": maximum.isoformat()}),
            ("absences then prosecuted", {"decision": "prosecute"}),
            ("letter never sent", {"decision": "no_further_action"}),
            ("no place available", {"decision": "no_further_action"}),
        ]:
            decided = await intake_http.post(
                f"/v1/cases/{refs[name]}/breach-decision",
                json={
                    **body,
                    "officer": "PC1234",
                    "reason": "Decided.",
                    "breach_sequence": awaiting[name]["breach_sequence"],
                },
            )
            assert decided.status_code == 200, decided.text

        reopened = await eventually(lambda: _statuses(intake_http, refs, "open", 1), timeout=60)
        assert reopened["excused then completed"]["complete_by"] == maximum.isoformat()
        await _report_the_work(gateway_http, referrals["excused then completed"])
        await gateway_http.post(f"/v1/referrals/{referrals['excused then completed']}/completion", json=DONE)

        final = await eventually(lambda: _final(intake_http, refs), timeout=60)

    assert {name: case["status"] for name, case in final.items()} == {
        "excused then completed": "completed",
        "completed": "completed",
        "letter never sent": "no_further_action",
        "absences then prosecuted": "prosecuted",
        "no place available": "no_further_action",
        "resolution not completed": "not_completed",
    }
    excused = final["excused then completed"]
    assert [c["status"] for c in excused["conditions"]] == ["met"]
    assert [r["status"] for r in excused["referrals"]] == ["completed"]
    assert [h["detail"] for h in excused["history"] if h["what"] == "case status"] == [
        "awaiting police decision (missed_appointment)",
        "open (police decision: reasonable_excuse)",
        "completed (police decision: reasonable_excuse)",
    ]
    books = await eventually(lambda: _balanced(settings, infrastructure, namespace), timeout=60)
    assert books.totals["referrals"]["compliance"] == books.totals["referrals"]["router"] >= 5


_NO_REFERRAL = {"letter never sent", "no place available"}


def _ref() -> str:
    return f"13YE{uuid.uuid4().hex[:7].upper()}"


async def _complete(http: httpx.AsyncClient, referral: str, *, miss_twice_first: bool = False) -> None:
    assert (await http.post(f"/v1/referrals/{referral}/accept", json={})).status_code == 200
    if miss_twice_first:
        return await _miss_twice(http, referral)
    await _report_the_work(http, referral)
    assert (await http.post(f"/v1/referrals/{referral}/completion", json=DONE)).status_code == 200


async def _report_the_work(http: httpx.AsyncClient, referral: str) -> None:
    """The treatment service's plans are approved on submission: no one else is asked."""

    def agency(method: str, path: str, body: dict | None):
        return http.request(method, path, json=body)

    await report_the_work(agency, agency, referral)


async def _miss_twice(http: httpx.AsyncClient, referral: str) -> None:
    for _ in range(2):
        appointment = str(uuid.uuid4())
        scheduled = await http.post(
            f"/v1/referrals/{referral}/appointments",
            json={
                "appointment_id": appointment,
                "purpose": "intervention_session",
                "scheduled_for": datetime.now(UTC).isoformat(),
                "mode": "face_to_face",
            },
        )
        missed = await http.post(
            f"/v1/referrals/{referral}/appointments/{appointment}/missed", json={"absence_acceptable": False}
        )
        assert scheduled.status_code == missed.status_code == 200, missed.text


async def _referrals_by_case(http: httpx.AsyncClient, cases: dict[str, str], without: set[str]) -> dict | None:
    listed = (await http.get("/v1/referrals")).json()
    by_case = {r["case_id"]: r["referral_id"] for r in listed}
    wanted = {name: case for name, case in cases.items() if name not in without}
    if all(case in by_case for case in wanted.values()):
        return {name: by_case[case] for name, case in wanted.items()}
    return None


async def _statuses(http: httpx.AsyncClient, refs: dict[str, str], status: str, count: int) -> dict | None:
    cases = {name: (await http.get(f"/v1/cases/{ref}")).json() for name, ref in refs.items()}
    found = {name: case for name, case in cases.items() if case["status"] == status}
    return found if len(found) == count else None


async def _final(http: httpx.AsyncClient, refs: dict[str, str]) -> dict | None:
    cases = {name: (await http.get(f"/v1/cases/{ref}")).json() for name, ref in refs.items()}
    concluded = ("completed", "not_completed", "prosecuted", "no_further_action")
    return cases if all(case["status"] in concluded for case in cases.values()) else None


async def _balanced(settings, infrastructure, namespace: str):
    schemas = {service: f"{namespace}_{suffix}" for service, suffix in SUFFIXES.items()}
    books = await check_books(
        infrastructure.database.url(OPERATIONS_ROLE),
        schemas,
        kafka=infrastructure.kafka.of("operations"),
        topic_prefix=settings.topic_prefix,
    )
    return books if books.disagreement_count == 0 else None


SUFFIXES = {"intake": "intake", "router": "router", "compliance": "compliance"}
