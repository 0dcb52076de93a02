"""What the router hears on Kafka: case events, agency updates and case outcomes, in one consumer group.

All three topics go through one transactional consumer, so a case's events are applied in order
and exactly once. Types the router has no use for (a rejected case, an appointment note it does
not track) are recognised and skipped, never dead-lettered: they are valid, just not ours.
"""

from __future__ import annotations

import asyncpg

from platform_plumbing.transactional_consumer import IncomingEvent, PoisonMessage
from schemas.commands.agency import AgencyUpdate
from schemas.events import CaseBreached, CaseCompleted, CaseNonCompletion, CaseOpened, CaseWithdrawn, NeedsAssessed
from schemas.registry import carried_by
from schemas.topics import AGENCY_UPDATES, CASES, COMPLIANCE
from schemas.vocabulary import CancellationReason
from services.referral_router.adapters.referral_store import RouterStore
from services.referral_router.service_layer import handlers
from services.referral_router.service_layer.unit_of_work import RouterContext, UnitOfWork

TOPICS = (CASES, AGENCY_UPDATES, COMPLIANCE)
HEARD = carried_by(*TOPICS)


def event_handler(context: RouterContext):
    async def handle(connection: asyncpg.Connection, incoming: IncomingEvent) -> None:
        uow = UnitOfWork(connection, context)
        event = incoming.payload
        try:
            if isinstance(event, CaseOpened):
                await handlers.case_opened(event, uow)
            elif isinstance(event, NeedsAssessed):
                await handlers.needs_assessed(event, uow)
            elif isinstance(event, CaseWithdrawn):
                await handlers.case_withdrawn(event, uow)
            elif isinstance(event, AgencyUpdate):
                await handlers.agency_update(event, uow)
            elif isinstance(event, CaseCompleted | CaseBreached | CaseNonCompletion):
                await handlers.close_case(event.case_id, "closed", CancellationReason.CASE_CLOSED, uow)
        except handlers.UnknownCase as error:
            raise PoisonMessage(str(error)) from None

    return handle


async def lock_capacity(connection: asyncpg.Connection) -> None:
    """Taken once at the start of each batch's transaction, before any row lock: see `RouterStore.lock_capacity`."""
    await RouterStore(connection).lock_capacity()
