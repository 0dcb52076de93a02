"""What compliance hears on Kafka: cases, referrals, agencies' updates and police signals.

Agencies that produce to Kafka get the gateway's rules: an update for a referral the agency
does not hold, or one that contradicts the referral's state, is dead-lettered with the reason.
Updates the gateway itself forwarded (accepted over HTTP, already applied) are recognised by
their CloudEvents source and skipped.
"""

from __future__ import annotations

import asyncpg

from platform_plumbing.transactional_consumer import IncomingEvent, PoisonMessage
from schemas.commands.agency import AgencyUpdate
from schemas.events import (
    CaseOpened,
    CaseWithdrawn,
    DeadlineExtended,
    ReferralCancelled,
    ReferralIssued,
    ReferralReassigned,
    ReoffendingSignal,
)
from schemas.registry import carried_by
from schemas.topics import AGENCY_UPDATES, CASES, POLICE_SIGNALS, REFERRALS
from services.compliance.domain.referral_progress import IllegalTransition
from services.compliance.entrypoints import held_events
from services.compliance.service_layer import handlers
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork

TOPICS = (CASES, REFERRALS, AGENCY_UPDATES, POLICE_SIGNALS)
HEARD = carried_by(*TOPICS)


def event_handler(context: ComplianceContext):
    async def handle(connection: asyncpg.Connection, incoming: IncomingEvent) -> None:
        event = incoming.payload
        if isinstance(event, AgencyUpdate) and incoming.attributes.source == context.events.source:
            return  # an update compliance forwarded from its HTTP gateway: applied already
        try:
            awaited = await _apply(event, UnitOfWork(connection, context))
        except handlers.UnknownCase:
            return await held_events.hold(connection, incoming, event.case_id, "case", context)
        except handlers.UnknownReferral:
            return await held_events.hold(connection, incoming, event.referral_id, "referral", context)
        except (handlers.NotYourReferral, IllegalTransition) as refused:
            raise PoisonMessage(f"{type(refused).__name__}: {refused}") from None
        if awaited:
            awaiting = event.case_id if isinstance(event, CaseOpened) else event.referral_id
            await held_events.apply_held(connection, awaiting, context, handle, HEARD)

    return handle


async def _apply(event, uow: UnitOfWork) -> bool:
    """Apply `event`; True when it created a case or referral that held events are waiting for."""
    if isinstance(event, CaseOpened):
        return await handlers.case_opened(event, uow)
    if isinstance(event, ReferralIssued):
        return await handlers.referral_issued(event, uow)
    if isinstance(event, AgencyUpdate):
        await handlers.agency_update(event, uow, received_via="kafka")
    elif isinstance(event, CaseWithdrawn):
        await handlers.case_withdrawn(event, uow)
    elif isinstance(event, DeadlineExtended):
        await handlers.deadline_extended(event, uow)
    elif isinstance(event, ReferralReassigned | ReferralCancelled):
        await handlers.referral_closed_by_router(event, uow)
    elif isinstance(event, ReoffendingSignal):
        await handlers.reoffending_signal(event, uow)
    return False
