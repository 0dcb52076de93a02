"""Agency updates that overtook their referral on Kafka: held, then applied when it arrives.

Kafka keeps order within a partition only. An agency that answers a referral the moment it sees
it on `diversion.referrals.v1` can have its update read before compliance has read the referral.
Such an update (naming a referral compliance has never seen) is held instead of dead-lettered.
When the referral arrives, the updates held for it are applied in arrival order, as if they had
come just after it; one that still does not fit (another agency's referral, a contradiction) is
dead-lettered then. One whose referral never arrives within the hold period is dead-lettered by
the sweep. Either way its inbox claim is released, so replaying the dead letter counts.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg

from platform_plumbing.dead_letters import Rejection, dead_letter
from platform_plumbing.inbox import forget
from platform_plumbing.outbox import add_to_outbox
from platform_plumbing.transactional_consumer import IncomingEvent
from schemas.envelope import decode
from schemas.registry import carried_by
from schemas.topics import AGENCY_UPDATES, DEAD_LETTERS
from services.compliance.adapters import early_updates
from services.compliance.adapters.early_updates import HeldUpdate
from services.compliance.domain.referral_progress import IllegalTransition
from services.compliance.service_layer import handlers
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork

UPDATES = carried_by(AGENCY_UPDATES)


async def hold(connection: asyncpg.Connection, incoming: IncomingEvent, context: ComplianceContext) -> None:
    await early_updates.hold(
        connection, incoming.payload.referral_id, incoming.event_id, incoming.record, now=context.clock.now()
    )


async def apply_held(connection: asyncpg.Connection, referral_id: UUID, context: ComplianceContext) -> None:
    """Apply what was held for the referral that has just arrived."""
    for held in await early_updates.release_for(connection, referral_id):
        _, update = decode(held.record.headers, held.record.value, UPDATES)
        try:
            async with connection.transaction():
                await handlers.agency_update(update, UnitOfWork(connection, context), received_via="kafka")
        except (handlers.NotYourReferral, IllegalTransition) as refused:
            await _dead_letter(connection, held, f"{type(refused).__name__}: {refused}", context)


async def expire_held(
    connection: asyncpg.Connection, context: ComplianceContext, *, hold_for: timedelta, limit: int
) -> int:
    """Dead-letter updates whose referral did not arrive within `hold_for`; returns how many."""
    expired = await early_updates.release_expired(
        connection, received_before=context.clock.now() - hold_for, limit=limit
    )
    hours = f"{hold_for.total_seconds() / 3600:g} hours"
    for held in expired:
        await _dead_letter(
            connection, held, f"NotYourReferral: no referral with this id arrived within {hours}", context
        )
    return len(expired)


async def _dead_letter(connection: asyncpg.Connection, held: HeldUpdate, reason: str, context: ComplianceContext):
    topic = context.events.topic_prefix + DEAD_LETTERS.name
    rejection = Rejection("PoisonMessage", reason)
    await add_to_outbox(connection, [dead_letter(held.record, rejection, topic=topic, service="compliance")])
    await forget(connection, held.event_id)
