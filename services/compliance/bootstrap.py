"""Compliance's composition root: settings, rules, clock and ids in; the agency gateway app out.

The lifespan starts the shared runtime, subscribes to cases, referrals, agency updates and police
signals, and starts the deadline sweep; tests build the same app with their own clock and call
`sweep_once` directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from platform_plumbing import audit_trail
from platform_plumbing.clock import Clock, IdFactory, clock_for, new_id
from platform_plumbing.database_roles import RuntimePrivileges
from platform_plumbing.event_outbox import EventSource
from platform_plumbing.http_conventions import TELEMETRY, install_conventions
from platform_plumbing.kafka_acls import COMPLIANCE_CREATES
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.migrations import ServiceSchema
from platform_plumbing.personal_data import PersonKeys
from platform_plumbing.service_runtime import ServiceRuntime
from schemas.topics import (
    AGENCY_REFERRALS,
    AGENCY_UPDATES,
    COMPLIANCE,
    CONCERNS,
    DEAD_LETTERS,
    OUTCOMES,
    VICTIM_UPDATES,
)
from services.compliance.adapters.catalogue_terms import load_catalogue_terms
from services.compliance.adapters.hand_placements import HandPlacements
from services.compliance.adapters.notify import Notify, Templates
from services.compliance.adapters.police_systems import PoliceSystems
from services.compliance.domain.rules import load_rules
from services.compliance.entrypoints import erasure_routes, http_api, report_routes, work_routes
from services.compliance.entrypoints.kafka_events import (
    EXPEDITED,
    HEARD,
    TOPICS,
    batch_loader,
    event_handler,
    expedite_concern,
)
from services.compliance.entrypoints.timers import sweep_forever
from services.compliance.entrypoints.web import (
    account_pages,
    dashboard_handoff,
    pages,
    portal_pages,
    report_pages,
    team_pages,
)
from services.compliance.entrypoints.web.signed_in import install_page_errors
from services.compliance.service_layer.unit_of_work import ComplianceContext
from services.compliance.settings import ComplianceSettings

TABLES = ServiceSchema(
    "compliance",
    Path(__file__).parent / "adapters" / "migrations",
    RuntimePrivileges(
        append_only=(
            "audit_log",
            "audit_chain",
            "referral_updates",
            "condition_reports",
            "police_decisions",
            "reoffending_signals",
        ),
        operations_reads={
            "cases": ("case_id", "status"),
            "conditions": ("condition_id", "status"),
            "referrals": ("referral_id", "status"),
            "programme_assessments": ("referral_id", "version"),
            "concerns": ("concern_id", "force_id", "acknowledged_at"),
            **audit_trail.VERIFIER_READS,
        },
    ),
)
"""Its migrations, and its runtime role's rights: the history and audit tables are append-only; operations
read only the ids and statuses `diversion books` compares, and the audit trail `diversion audit verify` checks."""
CONSUMER_GROUP = "compliance"


def notify_of(settings: ComplianceSettings) -> Notify | None:
    """The Notify client reminders go out through; None, with a warning, where no key is configured."""
    if settings.notify_api_key is None:
        logging.getLogger(__name__).warning("no NOTIFY_API_KEY: appointment reminders are not sent")
        return None
    templates = Templates(settings.notify_sms_template_id, settings.notify_email_template_id)
    return Notify(settings.notify_api_key.get_secret_value(), settings.notify_base_url, templates)


def police_systems_of(settings: ComplianceSettings) -> PoliceSystems | None:
    """Where the team's pages record a police decision; None, and the pages say so, where it is not configured."""
    if settings.intake_url is None or settings.police_api_key is None:
        return None
    return PoliceSystems(settings.intake_url, settings.police_api_key.get_secret_value())


def hand_placements_of(settings: ComplianceSettings) -> HandPlacements | None:
    """Where the team's pages place needs by hand; None, and the pages say so, where it is not configured."""
    if settings.router_url is None or settings.router_api_key is None:
        return None
    return HandPlacements(settings.router_url, settings.router_api_key.get_secret_value())


def context_of(
    settings: ComplianceSettings, *, clock: Clock | None = None, ids: IdFactory = new_id
) -> ComplianceContext:
    """What every use case is given: the rules, the catalogue's terms, the clock, ids, the event source, the keys
    (the app's, and the management commands' that run a use case)."""
    clock = clock or clock_for(
        settings.clock_speed,
        settings.clock_epoch,
        settings.clock_fast_forward_after_days,
        settings.clock_fast_forward_speed,
    )
    disclosure, workflow = load_catalogue_terms(settings.compliance_catalogue_file)
    return ComplianceContext(
        rules=load_rules(settings.compliance_rules_file),
        disclosure=disclosure,
        workflow=workflow,
        clock=clock,
        new_id=ids,
        events=EventSource(settings.compliance_event_source, clock, ids, settings.topic_prefix),
        person_keys=PersonKeys.at(settings.personal_data_kek_uri),
        reminder_lead=timedelta(hours=settings.compliance_reminder_hours_before),
    )


def create_app(settings: ComplianceSettings, *, clock: Clock | None = None, ids: IdFactory = new_id) -> FastAPI:
    context = context_of(settings, clock=clock, ids=ids)
    rules = context.rules
    metrics = ServiceMetrics("compliance")

    runtime = ServiceRuntime(
        settings,
        tables=TABLES,
        schema=settings.compliance_db_schema,
        metrics=metrics,
        creates=COMPLIANCE_CREATES,
    )
    runtime.consume(
        event_handler(context),
        HEARD,
        *TOPICS,
        group=CONSUMER_GROUP,
        title="cases, referrals, agency updates and police signals",
        load=batch_loader(context),
    )
    runtime.expedite(expedite_concern(context), EXPEDITED, AGENCY_UPDATES, lane="concerns")
    runtime.publishes(COMPLIANCE, AGENCY_REFERRALS, OUTCOMES, VICTIM_UPDATES, CONCERNS, DEAD_LETTERS)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context.person_keys.load()  # no KEK, no start: nothing could be sealed or opened
        async with runtime.running() as pool:
            app.state.pool = pool
            hold_for = timedelta(hours=settings.compliance_hold_hours)
            sweep = asyncio.create_task(
                sweep_forever(pool, context, settings.compliance_sweep_seconds, hold_for, notify_of(settings))
            )
            try:
                yield
            finally:
                sweep.cancel()
                await asyncio.gather(sweep, return_exceptions=True)

    app = FastAPI(
        telemetry=TELEMETRY,
        title="Diversion compliance — gateway for partner agencies",
        version=rules.version,
        description=(
            "Partner agencies list and read their own referrals — what to deliver, what to know to work safely and "
            "how to contact the person — report progress (accept or decline, appointments scheduled, attended or "
            "missed, completed, disengagement, withdrawal) and their work: caseworker, first contact, their own "
            "needs assessment with the onward referrals the person agrees to, action plan, how each session went, "
            "the end-of-service report, notes to the diversion team and safeguarding concerns. Authenticate with "
            "the `X-API-Key` header your agency was given. A referral your agency does not hold answers 404. The "
            "diversion team (operations key) approves or returns action plans, takes concerns on and reads the "
            "reports under /v1/reports; a police force's systems read their own force's concerns."
        ),
        lifespan=lifespan,
    )
    app.state.context = context
    app.state.police_systems = police_systems_of(settings)
    app.state.hand_placements = hand_placements_of(settings)
    app.state.dashboard_url = settings.dashboard_url
    app.include_router(http_api.router)
    app.include_router(report_routes.router)
    app.include_router(erasure_routes.router)
    app.include_router(work_routes.router)
    app.include_router(work_routes.team)
    app.include_router(account_pages.router)
    app.include_router(portal_pages.router)
    app.include_router(team_pages.router)
    app.include_router(report_pages.router)
    app.include_router(dashboard_handoff.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    install_conventions(app, max_body_bytes=settings.compliance_max_body_bytes, metrics=metrics, runtime=runtime)
    http_api.install_error_handlers(app)
    erasure_routes.install_error_handlers(app)
    work_routes.install_error_handlers(app)
    install_page_errors(app)
    return app
