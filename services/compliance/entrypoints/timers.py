"""The deadline sweep: a case whose deadline passes with no event at all is still breached.

It runs on every replica; each overdue case is taken under a row lock the others skip, so a case
is breached once. Time comes from the injected clock, so tests move it instead of sleeping.
"""

from __future__ import annotations

import asyncpg

from platform_plumbing.periodic import repeat, run_in_batches
from services.compliance.service_layer.handlers import sweep_deadlines
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork


def _job(context: ComplianceContext):
    async def job(connection: asyncpg.Connection, limit: int) -> int:
        return await sweep_deadlines(UnitOfWork(connection, context), limit=limit)

    return job


async def sweep_once(pool: asyncpg.Pool, context: ComplianceContext) -> int:
    return await run_in_batches(pool, _job(context))


async def sweep_forever(pool: asyncpg.Pool, context: ComplianceContext, every_seconds: float) -> None:
    await repeat(pool, _job(context), every_seconds=every_seconds, what="cases breached: deadline passed")
