"""Compliance's sweeps: a case whose deadline passes with no event at all is still breached, and an
event held for a case or referral that never arrived is dead-lettered (see `held_events`).

They run on every replica; each row is taken under a row lock the others skip, so it is handled
once. Time comes from the injected clock, so tests move it instead of sleeping.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg

from platform_plumbing.periodic import repeat, run_in_batches
from services.compliance.entrypoints.held_events import expire_held
from services.compliance.service_layer.handlers import sweep_deadlines
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork


def _job(context: ComplianceContext):
    async def job(connection: asyncpg.Connection, limit: int) -> int:
        return await sweep_deadlines(UnitOfWork(connection, context), limit=limit)

    return job


async def sweep_once(pool: asyncpg.Pool, context: ComplianceContext) -> int:
    return await run_in_batches(pool, _job(context))


def _expiry(context: ComplianceContext, hold_for: timedelta):
    async def job(connection: asyncpg.Connection, limit: int) -> int:
        return await expire_held(connection, context, hold_for=hold_for, limit=limit)

    return job


async def expire_once(pool: asyncpg.Pool, context: ComplianceContext, hold_for: timedelta) -> int:
    return await run_in_batches(pool, _expiry(context, hold_for))


async def sweep_forever(
    pool: asyncpg.Pool, context: ComplianceContext, every_seconds: float, hold_for: timedelta
) -> None:
    await asyncio.gather(
        repeat(pool, _job(context), every_seconds=every_seconds, what="cases breached: deadline passed"),
        repeat(
            pool,
            _expiry(context, hold_for),
            every_seconds=every_seconds,
            what="held events dead-lettered: their case or referral never arrived",
        ),
    )
