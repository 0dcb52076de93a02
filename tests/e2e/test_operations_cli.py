"""`diversion agencies`, `report` and `erase` against the running router and compliance services."""

from __future__ import annotations

import asyncio
import json
import uuid

from typer.testing import CliRunner

from platform_plumbing.database_roles import OPERATIONS_ROLE
from services.operations.cli import app
from tests.e2e.conftest import operations_key, router_key
from tests.integration.operations.test_cli import operations_trail


async def test_agencies_and_report_read_the_running_services(settings, infrastructure, start_service):
    router, router_schema = await start_service("router")
    gateway, compliance_schema = await start_service(
        "compliance",
    )
    env = {
        **infrastructure.kafka.environment("operations", "OPERATIONS_"),
        "TOPIC_PREFIX": settings.topic_prefix,
        "ROUTER_URL": router.url,
        "AGENCY_API_URL": gateway.url,
        "OPERATIONS_API_KEY": await operations_key(settings.database_url, compliance_schema),
        "ROUTER_API_KEY": await router_key(settings.database_url, router_schema),
        "OPERATIONS_DATABASE_URL": infrastructure.database.url(OPERATIONS_ROLE),
    }
    unknown = uuid.uuid4()

    agencies = await asyncio.to_thread(CliRunner().invoke, app, ["agencies", "--json"], env=env)
    report = await asyncio.to_thread(CliRunner().invoke, app, ["report", "--json"], env=env)
    refused = await asyncio.to_thread(
        CliRunner().invoke, app, ["report"], env={**env, "AGENCY_API_URL": "http://127.0.0.1:1"}
    )
    without_key = await asyncio.to_thread(CliRunner().invoke, app, ["agencies"], env={**env, "ROUTER_API_KEY": ""})
    erase = await asyncio.to_thread(
        CliRunner().invoke, app, ["erase", str(unknown), "--reason", "data_subject_request"], env=env
    )
    bad_reason = await asyncio.to_thread(CliRunner().invoke, app, ["erase", str(unknown), "--reason", "x"], env=env)

    rows = json.loads(agencies.output)
    assert {"brighter-tomorrows", "youth-offending-service"} <= {r["agency_id"] for r in rows}
    assert all(r["active"] == 0 and r["capacity"] > 0 for r in rows)
    figures = json.loads(report.output)
    assert [(row["figure"], row["cohort"], row["measured"]) for row in figures.pop("headline")] == [
        ("conditional_caution_compliance", 0, None),
        ("adult_community_resolution_completion", 0, None),
        ("youth_community_resolution_completion", 0, None),
        ("domestic_abuse_named_within_24_months", 0, None),
        ("named_within_24_months", 0, None),
    ], "no cases yet: every figure without a cohort, none of them 0%"
    assert figures == {
        "compliance": [],
        "compliance_by_age": [],
        "reoffending": {"disposal": [], "cohort": [], "programme": []},
        "programmes": [],
        "conditions": [],
        "police_decisions": [],
        "service_levels": [],
        "onward_referrals": [],
        "safeguarding": [],
    }
    assert refused.exit_code == 1 and "error: cannot reach the compliance service" in refused.output
    assert without_key.exit_code == 1 and "answered 401" in without_key.output
    assert erase.exit_code == 1 and "answered 404" in erase.output and "no case with this id" in erase.output
    assert bad_reason.exit_code == 2 and "data_subject_request" in bad_reason.output
    requested = await operations_trail(infrastructure, "erase: data_subject_request")
    assert [row for row in requested if row[1] == unknown] == [("erasure", unknown)], "recorded before the act"
