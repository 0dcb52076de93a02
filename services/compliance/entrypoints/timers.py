"""The deadline sweep: a case whose deadline passes with no event at all is still breached.

It runs on every replica; each overdue case is taken under a row lock the others skip, so a case
is breached once. Time comes from the injected clock, so tests move it instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from services.compliance.service_layer.handlers import sweep_deadlines
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork

logger = logging.getLogger(__name__)
SWEEP_BATCH = 100


async def sweep_once(pool: asyncpg.Pool, context: ComplianceContext) -> int:
    total = 0
    while True:
        async with pool.acquire() as connection, connection.transaction():
            swept = await sweep_deadlines(UnitOfWork(connection, context), limit=SWEEP_BATCH)
        total += swept
        if swept < SWEEP_BATCH:
            return total


async def sweep_forever(pool: asyncpg.Pool, context: ComplianceContext, every_seconds: float) -> None:
    while True:
        try:
            swept = await sweep_once(pool, context)
            if swept:
                logger.info("%d case(s) breached: deadline passed", swept)
        except Exception as error:  # retried at the next tick; nothing is lost by waiting
            logger.warning("deadline sweep failed: %s", type(error).__name__)
        await asyncio.sleep(every_seconds)
