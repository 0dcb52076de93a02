"""What compliance hears on Kafka: cases and the police's decisions on them, the router's placements,
agencies' updates and police signals — dispatched by type to the use case that applies each.

Agencies that produce to Kafka get the gateway's rules: an agency is whoever the broker let write the
topic (`diversion.agency-updates.{agency}.v1`), so an update naming another agency is refused; one for a
referral the agency does not hold, one that contradicts the referral's state or one dated impossibly
is dead-lettered with the reason. A force's reoffending signal must name that force. An event that
names a case or referral not read yet is held until it is (see `held_events`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import asyncpg
from pydantic import BaseModel

from platform_plumbing.kafka_acls import agency_principal
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.priority_lane import Expedite
from platform_plumbing.transactional_consumer import Batch, IncomingEvent, PoisonMessage, check_sender, read_event
from schemas.commands.agency import AgencyUpdate, ConcernRaised, InterventionCompleted
from schemas.events import (
    BreachDecisionRecorded,
    CaseOpened,
    CaseWithdrawn,
    ConditionProgressReported,
    DeadlineExtended,
    ReferralIssued,
    ReferralQueued,
    ReferralRecalled,
    ReferralUnmatched,
    ReoffendingSignal,
)
from schemas.registry import AGENCY_UPDATES as AGENCY_UPDATE_TYPES
from schemas.registry import AGENCY_WORK, carried_by
from schemas.topics import AGENCY_UPDATES, CASES, POLICE_SIGNALS, REFERRALS
from services.compliance.adapters.case_locks import lock_cases
from services.compliance.adapters.compliance_store import CaseFiles, ComplianceStore
from services.compliance.adapters.held_events import HeldEvent, held_among
from services.compliance.adapters.work_store import load_work
from services.compliance.domain.agency_reports import ImplausibleTime
from services.compliance.domain.referral_progress import IllegalTransition
from services.compliance.entrypoints import held_events
from services.compliance.service_layer import agency_work, handlers
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork

TOPICS = (CASES, REFERRALS, AGENCY_UPDATES, POLICE_SIGNALS)
HEARD = carried_by(*TOPICS)
Apply = Callable[[BaseModel, UnitOfWork], Awaitable[bool | None]]


async def _agency_update(update: AgencyUpdate, uow: UnitOfWork) -> None:
    await handlers.agency_update(update, uow, received_via="kafka", actor=agency_principal(update.agency_id))


async def _agency_work(update: AgencyUpdate, uow: UnitOfWork) -> agency_work.WorkResult:
    return await agency_work.agency_work(update, uow, received_via="kafka", actor=agency_principal(update.agency_id))


APPLY: dict[type[BaseModel], Apply] = {
    CaseOpened: handlers.case_opened,
    CaseWithdrawn: handlers.case_withdrawn,
    DeadlineExtended: handlers.deadline_extended,
    ConditionProgressReported: handlers.condition_reported,
    BreachDecisionRecorded: handlers.breach_decided,
    ReferralIssued: handlers.placed,
    ReferralQueued: handlers.placed,
    ReferralUnmatched: handlers.placed,
    ReferralRecalled: handlers.recalled,
    ReoffendingSignal: handlers.reoffending_signal,
    **{update: _agency_update for update in AGENCY_UPDATE_TYPES},
    **{step: _agency_work for step in AGENCY_WORK},
}
"""Every type compliance hears; the case's other events (a rejection, an assessment) are not its business."""


async def lock_cases_of(connection: asyncpg.Connection, events: Sequence[IncomingEvent]) -> set[UUID]:
    """Taken once per batch before any handler: the batch's cases, so that no other replica works on them
    meanwhile (see `case_locks`). A reoffending signal names a person, not a case, and needs none."""
    case_ids = {case_id for e in events if (case_id := getattr(e.payload, "case_id", None))}
    await lock_cases(connection, case_ids)
    return case_ids


def batch_loader(context: ComplianceContext):
    """The batch's load step: lock its cases, then load the files of those that exist, one query per table, the
    agencies' work on the referrals its steps name, and which of its cases and referrals events are held for."""

    async def load(connection: asyncpg.Connection, events: Sequence[IncomingEvent]) -> CaseFiles:
        files = CaseFiles()
        store = ComplianceStore(connection, PendingWrites(), files)
        case_ids = await lock_cases_of(connection, events)
        await store.load_case_files(case_ids, context.rules)
        referral_ids = {referral_id for e in events if (referral_id := getattr(e.payload, "referral_id", None))}
        await load_work(connection, files.work, {e.payload.referral_id for e in events if _works_on(e.payload)})
        await _read_held(connection, files, case_ids | referral_ids)
        files.awaited = set(files.held)
        return files

    return load


def _works_on(event: BaseModel) -> bool:
    """Whether an event reads the work on its referral: a step of it, or the completion that needs its report."""
    return type(event) in AGENCY_WORK or isinstance(event, InterventionCompleted)


async def _read_held(connection: asyncpg.Connection, files: CaseFiles, ids: set[UUID]) -> None:
    """What is held for `ids`, and for the cases and referrals those held events name in turn (a held referral's
    own updates wait for it), so that releasing them asks the database nothing more."""
    while ids:
        files.asked |= ids
        held = await held_among(connection, ids)
        files.held.update(held)
        ids = {named for events in held.values() for event in events for named in _named(event)} - files.asked


def _named(held: HeldEvent) -> set[UUID]:
    """One no longer readable names nothing here; it is dead-lettered when released."""
    event = read_event(held.record, HEARD)
    if not isinstance(event, IncomingEvent):
        return set()
    return {named for name in ("case_id", "referral_id") if (named := getattr(event.payload, name, None))}


EXPEDITED = {ConcernRaised.command_type: ConcernRaised}
"""What compliance's priority lane applies ahead of its consumer's lag: a concern must reach the police at once."""


def expedite_concern(context: ComplianceContext) -> Expedite:
    """Keep a concern and tell its force in the lane's own transaction, as over HTTP, without waiting for the batch
    that may be working on its case: a concern changes nothing of the case file, so its case is read, not locked
    (its id is the key that makes a second keeping do nothing). The consumer reading the same record later finds it
    kept; whatever is refused here (a referral not read yet, another agency's) is left to it."""
    prefix = context.events.topic_prefix

    async def expedite(connection: asyncpg.Connection, writes: PendingWrites, incoming: IncomingEvent) -> bool:
        update = incoming.payload
        check_sender(incoming, AGENCY_UPDATES, prefix, update.agency_id)
        uow = UnitOfWork(connection, context, writes, locks_cases=False)
        return (await _agency_work(update, uow)).applied

    return expedite


def event_handler(context: ComplianceContext):
    prefix = context.events.topic_prefix

    async def handle(batch: Batch, incoming: IncomingEvent) -> None:
        event = incoming.payload
        apply = APPLY.get(type(event))
        if apply is None:
            return
        if isinstance(event, AgencyUpdate):
            check_sender(incoming, AGENCY_UPDATES, prefix, event.agency_id)
        elif isinstance(event, ReoffendingSignal):
            check_sender(incoming, POLICE_SIGNALS, prefix, event.force_id)
        try:
            awaited = await apply(event, UnitOfWork(batch.connection, context, batch.writes, batch.loaded))
        except handlers.UnknownCase:
            return await held_events.hold(batch, incoming, event.case_id, "case", context)
        except handlers.UnknownReferral:
            return await held_events.hold(batch, incoming, event.referral_id, "referral", context)
        except (handlers.NotYourReferral, IllegalTransition, ImplausibleTime) as refused:
            raise PoisonMessage(f"{type(refused).__name__}: {refused}") from None
        if awaited:
            await held_events.apply_held(batch, _awaited_id(event), context, handle, HEARD)

    return handle


def _awaited_id(event: BaseModel) -> UUID:
    return event.case_id if isinstance(event, CaseOpened) else event.referral_id
