"""Intake's composition root: settings, policy, clock and ids in; a runnable FastAPI app out.

The app's lifespan starts the shared runtime (migrated pool, topics, outbox relay, broker),
subscribes the Kafka command consumer and serves HTTP; tests build the same app with a fixed
clock, their own ids and their own topic prefix and schema.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI

from platform_plumbing import audit_trail
from platform_plumbing.clock import Clock, IdFactory, clock_for, new_id
from platform_plumbing.database_roles import RuntimePrivileges
from platform_plumbing.event_outbox import EventSource
from platform_plumbing.http_conventions import TELEMETRY, install_conventions
from platform_plumbing.kafka_acls import INTAKE_EMPTIES
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.migrations import ServiceSchema
from platform_plumbing.personal_data import PersonKeys
from platform_plumbing.sealed_letters import SealedLetters
from platform_plumbing.service_runtime import ServiceRuntime
from schemas.topics import CASES, DEAD_LETTERS
from services.intake.domain.policy import Policies
from services.intake.entrypoints import http_api
from services.intake.entrypoints.kafka_commands import ACCEPTED, TOPICS, command_handler, load
from services.intake.service_layer.unit_of_work import IntakeContext
from services.intake.settings import IntakeSettings

TABLES = ServiceSchema(
    "intake",
    Path(__file__).parent / "adapters" / "migrations",
    RuntimePrivileges(
        append_only=("case_history", "needs_assessments", "breach_decisions", "audit_log", "audit_chain"),
        operations_reads={
            "cases": ("case_id", "status"),
            "case_conditions": ("condition_id", "status"),
            "case_referrals": ("referral_id", "status"),
            "programme_assessments": ("referral_id", "version"),
            **audit_trail.VERIFIER_READS,
        },
    ),
)
"""Its migrations, and its runtime role's rights: the history and audit tables are append-only; operations
read only the ids and statuses `diversion books` compares, and the audit trail `diversion audit verify` checks."""
CONSUMER_GROUP = "intake"


def create_app(settings: IntakeSettings, *, clock: Clock | None = None, ids: IdFactory = new_id) -> FastAPI:
    """Build intake. The policies are loaded now, so a broken policy file fails before anything starts."""
    policies = Policies.load(settings.intake_policy_files)
    clock = clock or clock_for(
        settings.clock_speed,
        settings.clock_epoch,
        settings.clock_fast_forward_after_days,
        settings.clock_fast_forward_speed,
    )
    metrics = ServiceMetrics("intake")
    context = IntakeContext(
        policies=policies,
        clock=clock,
        new_id=ids,
        events=EventSource(settings.intake_event_source, clock, ids, settings.topic_prefix),
        person_keys=PersonKeys.at(settings.personal_data_kek_uri),
    )

    runtime = ServiceRuntime(settings, tables=TABLES, schema=settings.intake_db_schema, metrics=metrics)
    runtime.consume(
        command_handler(context),
        ACCEPTED,
        *TOPICS,
        group=CONSUMER_GROUP,
        title="police commands and outcomes",
        sealed_letters=SealedLetters(context.person_keys, clock),  # the police's commands carry personal data
        empties=INTAKE_EMPTIES,  # and are deleted from the force's topic once processed
        load=load,
    )
    runtime.publishes(CASES, DEAD_LETTERS)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context.person_keys.load()  # no KEK, no start: nothing could be sealed or opened
        async with runtime.running() as pool:
            app.state.pool = pool
            yield

    app = FastAPI(
        telemetry=TELEMETRY,
        title="Diversion intake — API for police systems",
        version=" / ".join(f"{force} {policies.of(force).version}" for force in policies.forces),
        description=(
            "Submit out-of-court diversion decisions and needs assessments, withdraw cases, extend "
            "deadlines, report progress on conditions, record the police decision after a breach, and read "
            "a case: its status, conditions, referrals and history. Authenticate with the `X-API-Key` "
            "header. Every decision is answered with the force policy's explained outcome."
        ),
        lifespan=lifespan,
    )
    app.state.context = context
    app.include_router(http_api.router)
    install_conventions(app, max_body_bytes=settings.intake_max_body_bytes, metrics=metrics, runtime=runtime)
    http_api.install_error_handlers(app)
    return app
