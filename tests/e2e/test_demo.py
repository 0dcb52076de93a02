"""The demo's simulation on real processes, shortened: 40 decisions on a clock 200,000 times real time,
agencies answering over the gateway, every case reaching its outcome, reoffending signals counted."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from platform_plumbing.clock import AcceleratedClock
from services.operations.simulator.__main__ import simulate
from tests.e2e.conftest import operations_key, police_key

SPEED = 200_000
CASES = 40


async def test_a_short_demo_month_reaches_every_outcome(settings, start_service):
    epoch = datetime.now(UTC)
    clock = {"CLOCK_SPEED": str(SPEED), "CLOCK_EPOCH": epoch.isoformat()}
    intake, intake_schema = await start_service("intake", **clock)
    await start_service("router", **clock)
    gateway, compliance_schema = await start_service("compliance", COMPLIANCE_SWEEP_SECONDS="1", **clock)
    stack = {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "DATABASE_URL": settings.database_url,
        "TOPIC_PREFIX": settings.topic_prefix,
        "COMPLIANCE_DB_SCHEMA": compliance_schema,
        "INTAKE_URL": intake.url,
        "AGENCY_API_URL": gateway.url,
        "POLICE_API_KEY": await police_key(settings.database_url, intake_schema),
        "OPERATIONS_API_KEY": await operations_key(settings.database_url, compliance_schema),
    }

    opened = await simulate(stack, AcceleratedClock(epoch, SPEED), seed=1, count=CASES, timeout=240)

    async with httpx.AsyncClient(base_url=gateway.url, headers={"X-API-Key": stack["OPERATIONS_API_KEY"]}) as http:
        rates = (await http.get("/v1/reports/compliance")).json()
        reoffending = (await http.get("/v1/reports/reoffending")).json()
    assert opened == CASES
    assert sum(r["concluded"] for r in rates) == CASES and all(r["open"] == 0 for r in rates)
    assert sum(r["completed"] for r in rates) > CASES / 2
    assert sum(r["breached"] + r["not_completed"] for r in rates) > 0
    assert sum(r["named_within_24_months"] for r in reoffending) > 0
