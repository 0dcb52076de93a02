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

from services.referral_router.adapters.catalogue_store import sync_catalogue
from services.referral_router.domain.catalogue import Catalogue, CatalogueError, load_catalogue
from services.referral_router.service_layer.handlers import sweep_overdue
from services.referral_router.service_layer.unit_of_work import RouterContext, UnitOfWork

logger = logging.getLogger(__name__)
SWEEP_BATCH = 100


async def sweep_once(pool: asyncpg.Pool, context: RouterContext) -> int:
    """Re-route every overdue referral, a batch per transaction; return how many."""
    total = 0
    while True:
        async with pool.acquire() as connection, connection.transaction():
            swept = await sweep_overdue(UnitOfWork(connection, context), limit=SWEEP_BATCH)
        total += swept
        if swept < SWEEP_BATCH:
            return total


async def sweep_forever(pool: asyncpg.Pool, context: RouterContext, every_seconds: float) -> None:
    while True:
        try:
            swept = await sweep_once(pool, context)
            if swept:
                logger.info("re-routed %d referral(s) that had no answer in time", swept)
        except Exception as error:  # the next sweep retries; nothing is lost by waiting
            logger.warning("overdue sweep failed: %s", type(error).__name__)
        await asyncio.sleep(every_seconds)


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
