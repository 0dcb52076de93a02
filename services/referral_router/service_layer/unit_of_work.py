"""One transaction's worth of routing: the router's store and the event outbox on one connection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from platform_plumbing.clock import Clock, IdFactory
from platform_plumbing.event_outbox import EventOutbox, EventSource
from services.referral_router.adapters.referral_store import RouterStore
from services.referral_router.domain.catalogue import Catalogue


@dataclass(frozen=True)
class RouterContext:
    """What every routing use case needs besides its input. `catalogue()` returns the catalogue in
    force now; it changes when the file is reloaded."""

    catalogue: Callable[[], Catalogue]
    clock: Clock
    new_id: IdFactory
    events: EventSource


class UnitOfWork:
    def __init__(self, connection: asyncpg.Connection, context: RouterContext) -> None:
        self.store = RouterStore(connection)
        self.outbox = EventOutbox(connection, context.events)
        self.context = context

    def now(self) -> datetime:
        return self.context.clock.now()
