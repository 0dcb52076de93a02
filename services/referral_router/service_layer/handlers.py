"""The router's reactions to cases, agency updates, outcomes and the passing of time.

Every handler is idempotent on state: a stale or repeated fact (an acceptance for a referral
already declined, a second withdrawal) finds the referral in a state it does not apply to and
changes nothing — the inbox already stops exact redeliveries; this stops late ones.
"""

from __future__ import annotations

from schemas.commands import (
    AppointmentAttended,
    AppointmentMissed,
    AppointmentScheduled,
    Disengaged,
    InterventionCompleted,
    ReferralAccepted,
    ReferralDeclined,
    Withdrawn,
)
from schemas.commands.agency import AgencyUpdate
from schemas.events import CaseOpened, CaseWithdrawn, NeedsAssessed, ReferralCancelled, ReferralReassigned
from schemas.vocabulary import CancellationReason, ReassignmentReason
from services.referral_router.adapters.referral_store import ACTIVE, Referral, RoutedCase
from services.referral_router.domain.matching import Need, Person
from services.referral_router.service_layer.placement import announce, announce_issued, answer_due, place
from services.referral_router.service_layer.unit_of_work import UnitOfWork


class UnknownCase(LookupError):
    """An event for a case the router never saw opened."""


async def case_opened(event: CaseOpened, uow: UnitOfWork) -> None:
    person = Person(
        age=event.age_at_offence,
        sex=event.sex,
        area=event.area,
        disposal=event.disposal_type,
        domestic_abuse=event.domestic_abuse,
        dash_risk=event.dash_risk,
        youth_offending_team=event.youth_offending_team,
    )
    personal = event.personal.model_dump(mode="json") if event.personal else None
    await uow.store.add_case(RoutedCase(event.case_id, person, "open"), personal, opened_at=event.decided_at)


async def needs_assessed(event: NeedsAssessed, uow: UnitOfWork) -> None:
    """Route new needs; cancel referrals whose needs are all gone; leave covered needs alone."""
    case = await _case(event.case_id, uow)
    if case.status != "open":
        return
    needs = _distinct(Need(n.category, n.severity, n.preferred_mode) for n in event.needs)
    await uow.store.replace_needs(case.case_id, needs)
    wanted = {need.category for need in needs}
    covered = set()
    for referral in await uow.store.open_referrals(case.case_id):
        categories = {need.category for need in referral.needs}
        if categories & wanted:
            covered |= categories
        else:
            await _cancel(referral, CancellationReason.NEED_NO_LONGER_ASSESSED, uow)
    to_place = tuple(need for need in needs if need.category not in covered)
    if to_place:
        placed, result = await place(case, to_place, uow)
        await announce(placed, result, case, uow)


async def case_withdrawn(event: CaseWithdrawn, uow: UnitOfWork) -> None:
    await close_case(event.case_id, "withdrawn", CancellationReason.CASE_WITHDRAWN, uow)


async def close_case(case_id, status: str, reason: CancellationReason, uow: UnitOfWork) -> None:
    """The case ended (withdrawn, completed, breached): cancel what is still open and free the capacity."""
    case = await uow.store.case(case_id, for_update=True)
    if case is None or case.status != "open":
        return
    await uow.store.set_case_status(case_id, status)
    for referral in await uow.store.open_referrals(case_id):
        await _cancel(referral, reason, uow)


async def agency_update(update: AgencyUpdate, uow: UnitOfWork) -> None:
    """Follow a referral through the agency's answers; re-route when it declines or withdraws.

    Updates naming a referral the agency does not hold are ignored here: compliance, which owns
    the agency gateway, dead-letters them.
    """
    referral = await uow.store.referral(update.referral_id, for_update=True)
    if referral is None or referral.agency_id != update.agency_id:
        return
    now = uow.context.clock.now()
    if isinstance(update, ReferralAccepted) and referral.status == "issued":
        await uow.store.set_status(referral.referral_id, "accepted", now=now)
    elif isinstance(update, AppointmentScheduled | AppointmentAttended | AppointmentMissed) and referral.status in (
        "issued",
        "accepted",
    ):
        await uow.store.set_status(referral.referral_id, "in_progress", now=now)
    elif isinstance(update, InterventionCompleted | Disengaged) and referral.status in ACTIVE:
        ended = "completed" if isinstance(update, InterventionCompleted) else "disengaged"
        await uow.store.set_status(referral.referral_id, ended, now=now)
        await release_capacity(referral.agency_id, uow)
    elif isinstance(update, ReferralDeclined) and referral.status in ("issued", "accepted"):
        await reassign(referral, "declined", ReassignmentReason.DECLINED, uow)
    elif isinstance(update, Withdrawn) and referral.status in ACTIVE:
        await reassign(referral, "agency_withdrew", ReassignmentReason.AGENCY_WITHDREW, uow)


async def reassign(referral: Referral, status: str, reason: ReassignmentReason, uow: UnitOfWork) -> None:
    """Close `referral`, never ask that agency again for these needs, and place them elsewhere."""
    await uow.store.set_status(referral.referral_id, status, now=uow.context.clock.now())
    await uow.store.exclude(referral.case_id, referral.needs, referral.agency_id)
    case = await _case(referral.case_id, uow)
    placed, result = await place(case, referral.needs, uow)
    for new in placed.issued + placed.queued:
        await uow.outbox.publish(
            ReferralReassigned(
                case_id=referral.case_id,
                referral_id=referral.referral_id,
                agency_id=referral.agency_id,
                new_referral_id=new.referral_id,
                new_agency_id=new.agency_id,
                reason=reason,
            )
        )
    await announce(placed, result, case, uow)
    await release_capacity(referral.agency_id, uow)


async def sweep_overdue(uow: UnitOfWork, *, limit: int = 100) -> int:
    """Re-route referrals whose agency did not answer in time. Safe to run on every replica at once:
    each overdue row is locked by the one replica that takes it (SKIP LOCKED)."""
    await uow.store.lock_capacity()
    overdue = await uow.store.overdue(uow.context.clock.now(), limit=limit)
    for referral in overdue:
        await reassign(referral, "timed_out", ReassignmentReason.NO_RESPONSE, uow)
    return len(overdue)


async def release_capacity(agency_id: str, uow: UnitOfWork) -> None:
    """Issue the agency's queued referrals, oldest first, as far as its capacity now allows."""
    catalogue = uow.context.catalogue()
    try:
        agency = catalogue.agency(agency_id)
    except KeyError:
        return
    free = agency.capacity - (await uow.store.agency_load()).get(agency_id, 0)
    if free <= 0:
        return
    now = uow.context.clock.now()
    for queued in await uow.store.queued_for(agency_id, limit=free):
        respond_by = answer_due(agency, catalogue, now)
        await uow.store.mark_issued(queued.referral_id, issued_at=now, respond_by=respond_by)
        await announce_issued(
            Referral(**{**vars(queued), "status": "issued", "issued_at": now, "respond_by": respond_by}), uow
        )


async def _cancel(referral: Referral, reason: CancellationReason, uow: UnitOfWork) -> None:
    await uow.store.set_status(referral.referral_id, "cancelled", now=uow.context.clock.now())
    if referral.status != "queued":  # a queued referral was never sent to the agency
        await uow.outbox.publish(
            ReferralCancelled(
                case_id=referral.case_id, referral_id=referral.referral_id, agency_id=referral.agency_id, reason=reason
            )
        )
        await release_capacity(referral.agency_id, uow)


async def _case(case_id, uow: UnitOfWork) -> RoutedCase:
    case = await uow.store.case(case_id, for_update=True)
    if case is None:
        raise UnknownCase(f"no case {case_id} was opened")
    return case


def _distinct(needs) -> tuple[Need, ...]:
    seen, result = set(), []
    for need in needs:
        if need.category not in seen:
            seen.add(need.category)
            result.append(need)
    return tuple(result)
