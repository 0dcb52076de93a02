"""The router's composition root: settings, catalogue, clock and ids in; a runnable app out.

The app's lifespan starts the shared runtime, mirrors the catalogue into the schema, subscribes
to intake's case events and compliance's decisions, and watches the catalogue file. Tests build
the same app with their own clock, ids, topic prefix and schema.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI

from platform_plumbing import audit_trail
from platform_plumbing.clock import Clock, IdFactory, clock_for, new_id
from platform_plumbing.database_roles import RuntimePrivileges
from platform_plumbing.event_outbox import EventSource
from platform_plumbing.http_conventions import TELEMETRY, install_conventions
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.migrations import ServiceSchema
from platform_plumbing.service_runtime import ServiceRuntime
from schemas.topics import DEAD_LETTERS, REFERRALS
from services.referral_router.adapters.catalogue_store import sync_catalogue
from services.referral_router.entrypoints import http_api
from services.referral_router.entrypoints.catalogue_watch import CatalogueHolder
from services.referral_router.entrypoints.kafka_events import HEARD, TOPICS, batch_loader, event_handler
from services.referral_router.service_layer.unit_of_work import RouterContext
from services.referral_router.settings import RouterSettings

TABLES = ServiceSchema(
    "referral_router",
    Path(__file__).parent / "adapters" / "migrations",
    RuntimePrivileges(
        append_only=("audit_log", "audit_chain"),
        operations_reads={
            "cases": ("case_id", "status"),
            "case_conditions": ("condition_id", "status"),
            "referrals": ("referral_id", "status"),
            "programme_assessments": ("found_by", "version"),
            **audit_trail.VERIFIER_READS,
        },
    ),
)
"""Its migrations, and its runtime role's rights: the history and audit tables are append-only; operations
read only the ids and statuses `diversion books` compares, and the audit trail `diversion audit verify` checks."""
CONSUMER_GROUP = "referral-router"


def create_app(settings: RouterSettings, *, clock: Clock | None = None, ids: IdFactory = new_id) -> FastAPI:
    """Build the router. The catalogue is loaded now, so a broken one fails before anything starts."""
    catalogue = CatalogueHolder(settings.router_catalogue_file)
    clock = clock or clock_for(
        settings.clock_speed,
        settings.clock_epoch,
        settings.clock_fast_forward_after_days,
        settings.clock_fast_forward_speed,
    )
    metrics = ServiceMetrics("referral_router")
    context = RouterContext(
        catalogue=catalogue,
        clock=clock,
        new_id=ids,
        events=EventSource(settings.router_event_source, clock, ids, settings.topic_prefix),
    )

    runtime = ServiceRuntime(settings, tables=TABLES, schema=settings.router_db_schema, metrics=metrics)
    runtime.consume(
        event_handler(context),
        HEARD,
        *TOPICS,
        group=CONSUMER_GROUP,
        title="case events and compliance's decisions",
        load=batch_loader(context),
    )
    runtime.publishes(REFERRALS, DEAD_LETTERS)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.running() as pool:
            async with pool.acquire() as connection, connection.transaction():
                await sync_catalogue(connection, catalogue.current, now=clock.now())
            app.state.pool = pool
            app.state.context = context
            watch = asyncio.create_task(catalogue.watch(pool, clock, settings.router_catalogue_check_seconds))
            try:
                yield
            finally:
                watch.cancel()
                await asyncio.gather(watch, return_exceptions=True)

    app = FastAPI(
        telemetry=TELEMETRY,
        title="Diversion referral router",
        version=catalogue.current.version,
        lifespan=lifespan,
        description="Matches assessed needs to partner agencies. Operations: agencies and their load.",
    )
    app.include_router(http_api.router)
    install_conventions(app, max_body_bytes=16 * 1024, metrics=metrics, runtime=runtime)
    return app
