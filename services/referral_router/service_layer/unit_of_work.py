"""One transaction's worth of routing: the router's store, the event outbox and the audit trail on one
connection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from platform_plumbing.clock import Clock, IdFactory
from platform_plumbing.event_outbox import EventSource
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.unit_of_work import TransactionalWork
from services.referral_router.adapters.referral_store import RouterStore
from services.referral_router.adapters.router_batch import RouterBatch
from services.referral_router.domain.catalogue import Catalogue


@dataclass(frozen=True)
class RouterContext:
    """What every routing use case needs besides its input. `catalogue()` returns the catalogue in
    force now; it changes when the file is reloaded."""

    catalogue: Callable[[], Catalogue]
    clock: Clock
    new_id: IdFactory
    events: EventSource


class UnitOfWork(TransactionalWork):
    def __init__(
        self,
        connection: asyncpg.Connection,
        context: RouterContext,
        writes: PendingWrites | None = None,
        batch: RouterBatch | None = None,
    ) -> None:
        """`writes` and `batch`: a consumer batch's, shared by the units of work of its records; a unit of work used
        alone that places referrals is given a `batch` knowing the catalogue's capacities, so that what it places is
        checked against the agencies' load when it is written (see `router_batch`)."""
        super().__init__(connection, context.events, writes)
        self.store = RouterStore(connection, self.writes, batch)
        self.context = context
