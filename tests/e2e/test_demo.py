"""The demo's simulation on real processes, shortened: 40 decisions on a clock 200,000 times real time (then far
faster, once every case has concluded, until the month's 24-month cohort has matured), agencies answering over
the gateway, the officer, the victim-contact role and the police playing their parts, every case reaching its
outcome, people named again measured over the mature cohort only — and the books balanced."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from platform_plumbing.database_roles import OPERATIONS_ROLE, app_role
from services.operations.books import check_books
from services.operations.simulator.__main__ import clock_settings, demo_clock, simulate
from tests.e2e.conftest import operations_key, police_key

SPEED = 200_000
CASES = 40


async def test_a_short_demo_month_reaches_every_outcome(settings, infrastructure, start_service):
    demo = demo_clock(datetime.now(UTC), SPEED)
    clock = clock_settings(demo)
    intake, intake_schema = await start_service("intake", **clock)
    _, router_schema = await start_service("router", **clock)
    gateway, compliance_schema = await start_service("compliance", COMPLIANCE_SWEEP_SECONDS="1", **clock)
    stack = {
        "INTAKE_DB_SCHEMA": intake_schema,
        **infrastructure.kafka.environment("police-cambridgeshire", "POLICE_"),
        "INTAKE_DATABASE_URL": infrastructure.database.url(app_role("intake")),
        "COMPLIANCE_DATABASE_URL": infrastructure.database.url(app_role("compliance")),
        "TOPIC_PREFIX": settings.topic_prefix,
        "COMPLIANCE_DB_SCHEMA": compliance_schema,
        "INTAKE_URL": intake.url,
        "AGENCY_API_URL": gateway.url,
        "POLICE_API_KEY": await police_key(settings.database_url, intake_schema),
        "OPERATIONS_API_KEY": await operations_key(settings.database_url, compliance_schema),
    }

    month = await simulate(stack, demo, seed=1, count=CASES, timeout=420)

    async with httpx.AsyncClient(base_url=gateway.url, headers={"X-API-Key": stack["OPERATIONS_API_KEY"]}) as http:
        rates = (await http.get("/v1/reports/compliance")).json()
        reoffending = (await http.get("/v1/reports/reoffending")).json()
        headline = {row["figure"]: row for row in (await http.get("/v1/reports/headline")).json()}
        awaiting = (await http.get("/v1/reports/breaches")).json()
        conditions = (await http.get("/v1/reports/conditions")).json()
    assert month.submitted == month.opened == CASES
    assert all(r["open"] == 0 for r in rates) and awaiting == []
    assert sum(r["completed"] for r in rates) > CASES / 2
    assert sum(r["breached"] + r["not_completed"] for r in rates) > 0
    assert sum(r["named_within_24_months"] for r in reoffending) == month.signals.named_within_24_months()
    assert sum(r["cohort"] for r in reoffending) == CASES and all(r["not_yet_mature"] == 0 for r in reoffending)
    assert headline["named_within_24_months"]["cohort"] == CASES
    assert {row["kind"] for row in conditions} >= {"rehabilitative", "reparative"}
    assert sum(row["met"] for row in conditions) > 0
    schemas = {"intake": intake_schema, "router": router_schema, "compliance": compliance_schema}
    books = await check_books(
        infrastructure.database.url(OPERATIONS_ROLE),
        schemas,
        kafka=infrastructure.kafka.of("operations"),
        topic_prefix=settings.topic_prefix,
    )
    assert books.disagreement_count == 0, books.disagreements
    assert books.totals["cases"] == {"compliance": CASES, "intake": CASES, "router": CASES}
