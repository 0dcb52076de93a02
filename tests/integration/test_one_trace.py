"""One case is one trace (issue 23): the police's decision over HTTP, the case opened on Kafka, the referral the
router issues and compliance's outcome for it, across the three services (in one process here, so that one
in-memory exporter sees every span), all carry the decision's trace id. Exported over OTLP when
`OTEL_EXPORTER_OTLP_ENDPOINT` is set."""

from __future__ import annotations

import contextlib

import httpx
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from deploy.local_stack.processes import drop_schemas
from platform_plumbing.api_keys import issue_key
from platform_plumbing.clock import SystemClock
from platform_plumbing.tracing import exporters
from schemas.commands import DiversionDecision
from schemas.topics import COMPLIANCE
from services.compliance.bootstrap import create_app as compliance_app
from services.compliance.settings import ComplianceSettings
from services.intake.adapters.police_clients import PoliceClient, add_client
from services.intake.bootstrap import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.referral_router.bootstrap import create_app as router_app
from services.referral_router.settings import RouterSettings
from tests.factories import payload
from tests.integration.intake.conftest import FORCE
from tests.kafka_tools import eventually, read_topic


def test_spans_go_over_otlp_when_an_endpoint_is_set_and_nowhere_otherwise():
    (batch,) = exporters({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})

    assert isinstance(batch, BatchSpanProcessor) and isinstance(batch.span_exporter, OTLPSpanExporter)
    assert exporters({}) == []


async def test_a_decision_its_case_its_referral_and_its_outcome_are_one_trace(settings, as_service, namespace, topics):
    spans = InMemorySpanExporter()
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(spans))
    schemas = {name: f"{namespace}_{name}" for name in ("intake", "router", "compliance")}
    apps = [
        intake_app(IntakeSettings(**as_service("intake"), intake_db_schema=schemas["intake"])),
        router_app(
            RouterSettings(
                **as_service("referral_router"), router_db_schema=schemas["router"], router_catalogue_check_seconds=3600
            )
        ),
        compliance_app(ComplianceSettings(**as_service("compliance"), compliance_db_schema=schemas["compliance"])),
    ]
    intake = apps[0]
    try:
        async with contextlib.AsyncExitStack() as running:
            for app in apps:
                await running.enter_async_context(app.router.lifespan_context(app))
            key = await _police_key(intake)
            transport = httpx.ASGITransport(app=intake)
            async with httpx.AsyncClient(transport=transport, base_url="http://intake", headers=key) as http:
                answer = await http.post(
                    "/v1/decisions", json=payload(DiversionDecision, police_reference="35PB0007001")
                )
                assert answer.status_code == 201, answer.text
            await read_topic(settings.kafka, settings.topic(COMPLIANCE.name), at_least=1, timeout=60)

            async def the_whole_trace():
                decision = next(s for s in spans.get_finished_spans() if s.name == "POST /v1/decisions")
                same = [s for s in spans.get_finished_spans() if s.context.trace_id == decision.context.trace_id]
                kinds = {s.attributes.get("cloudevents.event_type") for s in same}
                wanted = {
                    "uk.police.diversion.case.opened.v1",
                    "uk.police.diversion.referral.issued.v1",
                    "uk.police.diversion.referral.changed.v1",
                }
                return same if wanted <= kinds else None

            same = await eventually(the_whole_trace, timeout=30)
    finally:
        await drop_schemas(settings.database_url, list(schemas.values()))

    consumed = {
        (s.attributes["messaging.destination.name"], s.attributes["cloudevents.event_type"])
        for s in same
        if s.attributes.get("messaging.destination.name")
    }
    assert (settings.topic("diversion.cases.v1"), "uk.police.diversion.case.opened.v1") in consumed
    assert (settings.topic("diversion.referrals.v1"), "uk.police.diversion.referral.issued.v1") in consumed
    assert (settings.topic(COMPLIANCE.name), "uk.police.diversion.referral.changed.v1") in consumed, "the outcome"


async def _police_key(intake) -> dict[str, str]:
    async with intake.state.pool.acquire() as connection:
        now = SystemClock().now()
        await add_client(connection, PoliceClient("trace-police", FORCE, "trace police"), now=now)
        return {"X-API-Key": (await issue_key(connection, "trace-police", now=now)).api_key}
