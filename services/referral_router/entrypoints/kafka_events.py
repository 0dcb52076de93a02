"""What the router hears on Kafka: intake's case events and compliance's decisions, in one consumer group,
dispatched by type. Types the router has no use for (a rejected case, a withdrawal — compliance decides
what a withdrawal does) are recognised and skipped, never dead-lettered: they are valid, just not ours.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from pydantic import BaseModel

from platform_plumbing.transactional_consumer import Batch, BatchLoad, IncomingEvent, PoisonMessage
from schemas.events import (
    BreachDecisionRecorded,
    CaseOpened,
    CaseStatusChanged,
    ConditionStatusChanged,
    DeadlineExtended,
    NeedsAssessed,
    ProgrammeNeedsFound,
    ReferralStatusChanged,
)
from schemas.registry import carried_by
from schemas.topics import CASES, COMPLIANCE
from services.referral_router.adapters import referral_store
from services.referral_router.adapters.router_batch import RouterBatch
from services.referral_router.service_layer import handlers
from services.referral_router.service_layer.unit_of_work import RouterContext, UnitOfWork

TOPICS = (CASES, COMPLIANCE)
HEARD = carried_by(*TOPICS)
APPLY: dict[type[BaseModel], Callable[[BaseModel, UnitOfWork], Awaitable[None]]] = {
    CaseOpened: handlers.case_opened,
    NeedsAssessed: handlers.needs_assessed,
    ProgrammeNeedsFound: handlers.needs_found,
    DeadlineExtended: handlers.deadline_extended,
    BreachDecisionRecorded: handlers.breach_decided,
    ReferralStatusChanged: handlers.referral_changed,
    ConditionStatusChanged: handlers.condition_changed,
    CaseStatusChanged: handlers.case_changed,
}


def event_handler(context: RouterContext):
    async def handle(batch: Batch, incoming: IncomingEvent) -> None:
        apply = APPLY.get(type(incoming.payload))
        if apply is None:
            return
        try:
            await apply(incoming.payload, UnitOfWork(batch.connection, context, batch.writes, batch.loaded))
        except handlers.UnknownCase as error:
            raise PoisonMessage(str(error)) from None

    return handle


def batch_loader(context: RouterContext) -> BatchLoad:
    """The batch's load step (see `referral_store.load_batch`): the cases it opens, the referrals whose changes
    it follows, and the agencies' load with the capacities of the catalogue it decides with."""

    async def load(connection: asyncpg.Connection, events: Sequence[IncomingEvent]) -> RouterBatch:
        return await referral_store.load_batch(
            connection,
            opened={e.payload.case_id for e in events if type(e.payload) is CaseOpened},
            followed={e.payload.referral_id for e in events if type(e.payload) is ReferralStatusChanged},
            capacity=context.catalogue().capacities,
        )

    return load
