"""Every service answers /healthz, /readyz and /metrics, logs JSON without personal data, and one
case's trace id travels from the police decision over HTTP through every service's events."""

from __future__ import annotations

import json

import httpx

from schemas.commands import DiversionDecision
from schemas.topics import CASES, REFERRALS
from tests.e2e.conftest import police_key
from tests.factories import payload
from tests.kafka_tools import read_topic


async def test_health_metrics_logs_and_one_trace_across_services(settings, start_service):
    intake, intake_schema = await start_service("intake")
    router, _ = await start_service("router")
    gateway, _ = await start_service(
        "compliance",
    )
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    caller = {
        "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01",
        "X-API-Key": await police_key(settings.database_url, intake_schema),
    }

    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{intake.url}/v1/decisions",
            headers=caller,
            json=payload(DiversionDecision, police_reference="13YE0999999"),
        )
        assert answer.status_code == 201
        await read_topic(settings.kafka, settings.topic(REFERRALS.name), at_least=1, timeout=60)
        for service in (intake, router, gateway):
            assert (await http.get(f"{service.url}/healthz")).status_code == 200
            assert (await http.get(f"{service.url}/readyz")).status_code == 200
            asyncapi = (await http.get(f"{service.url}/asyncapi.json")).json()
            assert asyncapi["asyncapi"] == "3.0.0" and asyncapi["channels"]
        intake_metrics = (await http.get(f"{intake.url}/metrics/")).text
        router_metrics = (await http.get(f"{router.url}/metrics/")).text

    assert 'type="uk.police.diversion.case.opened.v1"' in intake_metrics
    assert "diversion_events_published_total" in intake_metrics
    assert 'diversion_events_consumed_total{outcome="applied",service="referral_router"}' in router_metrics
    assert "faststream_received_messages_total" in router_metrics
    for topic in (CASES, REFERRALS):
        records = await read_topic(settings.kafka, settings.topic(topic.name), at_least=1)
        traceparents = {dict(r.headers)["traceparent"].decode().split("-")[1] for r in records}
        assert traceparents == {trace_id}, f"{topic.name} carries the caller's trace"
    intake_log = [json.loads(line) for line in intake.log.read_text().splitlines() if line.startswith("{")]
    assert intake_log and all({"time", "level", "message", "service"} <= entry.keys() for entry in intake_log)
    assert "Example" not in intake.log.read_text()
