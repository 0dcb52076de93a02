"""The router's clock: re-reading a changed catalogue.

Every replica watches the same file; a change is validated first — a broken edit is refused and the
last good catalogue stays. (Referrals nobody answers in time are compliance's to time out: it owns
their lifecycle.)
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import asyncpg

from services.referral_router.adapters.catalogue_store import sync_catalogue
from services.referral_router.domain.catalogue import Catalogue, CatalogueError, load_catalogue

logger = logging.getLogger(__name__)


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
