"""Compliance's composition root: settings, rules, clock and ids in; the agency gateway app out.

The lifespan starts the shared runtime, subscribes to cases, referrals, agency updates and police
signals, and starts the deadline sweep; tests build the same app with their own clock and call
`sweep_once` directly.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from platform_plumbing.clock import Clock, IdFactory, clock_for, new_id
from platform_plumbing.event_outbox import EventSource
from platform_plumbing.http_conventions import install_conventions
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.service_runtime import ServiceRuntime
from schemas.topics import AGENCY_UPDATES, COMPLIANCE, DEAD_LETTERS
from services.compliance.domain.rules import load_rules
from services.compliance.entrypoints.http_api import build_router, install_error_handlers
from services.compliance.entrypoints.kafka_events import HEARD, TOPICS, event_handler
from services.compliance.entrypoints.timers import sweep_forever
from services.compliance.service_layer.unit_of_work import ComplianceContext
from services.compliance.settings import ComplianceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
CONSUMER_GROUP = "compliance"


def create_app(settings: ComplianceSettings, *, clock: Clock | None = None, ids: IdFactory = new_id) -> FastAPI:
    rules = load_rules(settings.compliance_rules_file)
    clock = clock or clock_for(settings.clock_speed, settings.clock_epoch)
    metrics = ServiceMetrics("compliance")
    context = ComplianceContext(
        rules=rules,
        clock=clock,
        new_id=ids,
        events=EventSource(settings.compliance_event_source, clock, ids, settings.topic_prefix),
    )

    runtime = ServiceRuntime(
        settings, service="compliance", schema=settings.compliance_db_schema, migrations=MIGRATIONS, metrics=metrics
    )
    runtime.consume(
        event_handler(context),
        HEARD,
        *TOPICS,
        group=CONSUMER_GROUP,
        title="cases, referrals, agency updates and police signals",
    )
    runtime.publishes(COMPLIANCE, DEAD_LETTERS)
    runtime.publishes(AGENCY_UPDATES, types=tuple(AGENCY_UPDATES.carries))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.running() as pool:
            app.state.pool = pool
            app.state.context = context
            hold_for = timedelta(hours=settings.compliance_hold_hours)
            sweep = asyncio.create_task(sweep_forever(pool, context, settings.compliance_sweep_seconds, hold_for))
            try:
                yield
            finally:
                sweep.cancel()
                await asyncio.gather(sweep, return_exceptions=True)

    app = FastAPI(
        title="Diversion compliance — gateway for partner agencies",
        version=rules.version,
        description=(
            "Partner agencies list and read their own referrals and report progress: accept or decline, "
            "appointments scheduled, attended or missed, intervention completed, disengagement, withdrawal. "
            "Authenticate with the `X-API-Key` header your agency was given. A referral your agency does not "
            "hold answers 404. Operations read compliance and reoffending figures under /v1/reports."
        ),
        lifespan=lifespan,
    )
    app.include_router(build_router(context))
    install_conventions(app, max_body_bytes=settings.compliance_max_body_bytes, metrics=metrics, runtime=runtime)
    install_error_handlers(app)
    return app
