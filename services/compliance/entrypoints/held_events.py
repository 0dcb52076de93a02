"""Events that arrived before what they name: held, then applied when it arrives.

Kafka keeps order within a partition only, and compliance reads several topics. A referral can
be read before its case (the replica holding the case's partition is behind, or has just died),
and an agency's update before its referral (the agency answered the moment it saw the referral
on Kafka). Such an event is held instead of dead-lettered. When what it awaits arrives, the
events held for it go through the consumer's handler again, in arrival order, as if they had
come just after it; one that is still refused (another agency's referral, a contradiction) is
dead-lettered then. One whose case or referral never arrives within the hold period is
dead-lettered by the sweep. Either way its inbox claim is released, so replaying it counts.

A batch holds and releases as a set (see the adapter): in the consumer's optimistic run a released event
is simply applied, since one refused sends the whole batch to the careful, record-by-record run anyway;
only there does each released event get a savepoint of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from uuid import UUID

import asyncpg
from pydantic import BaseModel

from platform_plumbing.dead_letters import Rejection, dead_letter
from platform_plumbing.inbox import forget
from platform_plumbing.outbox import add_to_outbox
from platform_plumbing.transactional_consumer import Batch, Handler, IncomingEvent, PoisonMessage, read_event
from schemas.topics import DEAD_LETTERS
from services.compliance.adapters import held_events
from services.compliance.adapters.held_events import HeldEvent
from services.compliance.service_layer.unit_of_work import ComplianceContext


async def hold(batch: Batch, incoming: IncomingEvent, awaiting: UUID, what: str, context: ComplianceContext) -> None:
    """Hold `incoming` until the case or referral (`what`) with id `awaiting` arrives."""
    now = context.clock.now()
    held_events.hold(batch.writes, awaiting, what, incoming.event_id, incoming.record, now=now)
    batch.loaded.held_for(awaiting)


async def apply_held(
    batch: Batch,
    awaiting: UUID,
    context: ComplianceContext,
    handle: Handler,
    registry: Mapping[str, type[BaseModel]],
) -> None:
    """Run what was held for `awaiting`, which has just arrived, through `handle`. In the careful run each
    goes in a savepoint: one refused is undone alone and dead-lettered. What the batch did before is written
    first, so that forgetting the refused one's changes in memory (the batch's case files, its queued rows)
    forgets nothing else."""
    connection = batch.connection
    for held in await _released(batch, awaiting):
        event = read_event(held.record, registry)
        if isinstance(event, Rejection):  # the contract changed while it was held: it is set aside, not its case
            await _dead_letter(connection, held, event, context)
        elif not batch.careful:
            await handle(batch, event)
        else:
            await batch.writes.flush(connection)
            mark = batch.writes.mark()
            try:
                async with connection.transaction():
                    await handle(batch, event)
            except PoisonMessage as refused:
                batch.writes.undo_to(mark)
                batch.loaded.forget()
                await _dead_letter(connection, held, Rejection("PoisonMessage", refused.reason), context)


async def _released(batch: Batch, awaiting: UUID) -> list[HeldEvent]:
    """From what the batch read, deleted at its flush; from the database when only it knows all of it."""
    released = batch.loaded.release(awaiting)
    if released is None:
        await batch.writes.flush(batch.connection)  # what the batch held itself, to be found and released
        return await held_events.release_for(batch.connection, awaiting)
    if released:
        batch.loaded.releases.add(released)
        batch.writes.before_flush(batch.loaded.releases)
    return released


async def expire_held(
    connection: asyncpg.Connection, context: ComplianceContext, *, hold_for: timedelta, limit: int
) -> int:
    """Dead-letter events whose case or referral did not arrive within `hold_for`; returns how many."""
    expired = await held_events.release_expired(connection, received_before=context.clock.now() - hold_for, limit=limit)
    hours = f"{hold_for.total_seconds() / 3600:g} hours"
    for held in expired:
        reason = f"Unknown{held.awaiting_what.title()}: no {held.awaiting_what} with this id arrived within {hours}"
        await _dead_letter(connection, held, Rejection("PoisonMessage", reason), context)
    return len(expired)


async def _dead_letter(
    connection: asyncpg.Connection, held: HeldEvent, rejection: Rejection, context: ComplianceContext
) -> None:
    topic = context.events.topic_prefix + DEAD_LETTERS.name
    await add_to_outbox(connection, [dead_letter(held.record, rejection, topic=topic, service="compliance")])
    await forget(connection, held.event_id)
