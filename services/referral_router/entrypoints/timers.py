"""The router's clocks: re-routing referrals nobody answered, and re-reading a changed catalogue.

Both run on every replica. The sweep is safe that way because each overdue referral is taken
under a row lock that other replicas skip; a catalogue change is picked up by each replica from
the same file, validated first — a broken edit is refused and the last good catalogue stays.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import asyncpg

from platform_plumbing.periodic import repeat, run_in_batches
from services.referral_router.adapters.catalogue_store import sync_catalogue
from services.referral_router.domain.catalogue import Catalogue, CatalogueError, load_catalogue
from services.referral_router.service_layer.handlers import sweep_overdue
from services.referral_router.service_layer.unit_of_work import RouterContext, UnitOfWork

logger = logging.getLogger(__name__)


def _job(context: RouterContext):
    async def job(connection: asyncpg.Connection, limit: int) -> int:
        return await sweep_overdue(UnitOfWork(connection, context), limit=limit)

    return job


async def sweep_once(pool: asyncpg.Pool, context: RouterContext) -> int:
    """Re-route every overdue referral, a batch per transaction; return how many."""
    return await run_in_batches(pool, _job(context))


async def sweep_forever(pool: asyncpg.Pool, context: RouterContext, every_seconds: float) -> None:
    await repeat(pool, _job(context), every_seconds=every_seconds, what="referrals re-routed: no answer in time")


class CatalogueHolder:
    """The catalogue in force, replaced only by a newer file that validates."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.current: Catalogue = load_catalogue(path)
        self._mtime = path.stat().st_mtime

    def __call__(self) -> Catalogue:
        return self.current

    async def reload_if_changed(self, pool: asyncpg.Pool, clock) -> bool:
        mtime = self.path.stat().st_mtime
        if mtime == self._mtime:
            return False
        self._mtime = mtime
        try:
            catalogue = load_catalogue(self.path)
        except CatalogueError as error:
            logger.error("catalogue change refused, keeping version %s: %s", self.current.version, error)
            return False
        async with pool.acquire() as connection, connection.transaction():
            await sync_catalogue(connection, catalogue, now=clock.now())
        self.current = catalogue
        logger.info("catalogue version %s loaded", catalogue.version)
        return True

    async def watch(self, pool: asyncpg.Pool, clock, every_seconds: float) -> None:
        while True:
            await asyncio.sleep(every_seconds)
            try:
                await self.reload_if_changed(pool, clock)
            except OSError as error:
                logger.error("catalogue file unreadable, keeping version %s: %s", self.current.version, error)
