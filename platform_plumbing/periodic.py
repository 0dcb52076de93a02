"""Timers every replica runs (overdue referrals, passed deadlines): batch after batch, then wait.

Each batch is one transaction whose rows are taken with `FOR UPDATE SKIP LOCKED` by the job, so
replicas share the work instead of repeating it. A failed run is logged and retried at the next
tick; waiting loses nothing, since the rows are still there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

logger = logging.getLogger(__name__)
BATCH = 100

Job = Callable[[asyncpg.Connection, int], Awaitable[int]]
"""Handles at most `limit` rows in the given transaction and returns how many it handled."""


async def run_in_batches(pool: asyncpg.Pool, job: Job, *, batch: int = BATCH) -> int:
    """Run `job` one transaction per batch until a batch comes back short; return the total handled."""
    total = 0
    while True:
        async with pool.acquire() as connection, connection.transaction():
            handled = await job(connection, batch)
        total += handled
        if handled < batch:
            return total


async def repeat(pool: asyncpg.Pool, job: Job, *, every_seconds: float, what: str) -> None:
    await keep_doing(lambda: run_in_batches(pool, job), every_seconds=every_seconds, what=what)


async def keep_doing(work: Callable[[], Awaitable[int]], *, every_seconds: float, what: str) -> None:
    """Run `work` (which says how many things it handled) every `every_seconds`, logging what it did."""
    while True:
        try:
            handled = await work()
            if handled:
                logger.info("%s: %d", what, handled)
        except Exception as error:
            logger.warning("%s failed, will retry: %s", what, type(error).__name__)
        await asyncio.sleep(every_seconds)
