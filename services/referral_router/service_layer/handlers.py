"""The router's reactions: it places a case's needs when they are known or change, and follows what
compliance decides about each referral and the case.

The router places; compliance owns every lifecycle. So the router never decides that a referral is
cancelled, timed out or complete: it applies compliance's changes (only newer ones, by `sequence`),
frees the agency's place when a referral ends, and places again the needs of a referral that left
its agency — or recalls it, when those needs are no longer wanted. Every handler is idempotent: a
repeated or stale fact finds nothing to do.
"""

from __future__ import annotations

from schemas.events import (
    BreachDecisionRecorded,
    CaseOpened,
    CaseStatusChanged,
    ConditionStatusChanged,
    DeadlineExtended,
    NeedsAssessed,
    ProgrammeNeedsFound,
    ReferralRecalled,
    ReferralStatusChanged,
)
from schemas.vocabulary import CaseStatus, RecallReason, ReferralStatus
from services.referral_router.domain import planning
from services.referral_router.domain.entities import Referral, RoutedCase, Safety
from services.referral_router.domain.matching import Need, Person
from services.referral_router.service_layer.placement import place, refer_to_youth_team, release_capacity
from services.referral_router.service_layer.unit_of_work import UnitOfWork

ACTIVE = frozenset({ReferralStatus.ISSUED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS})


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
    personal = event.personal.model_dump(mode="json", exclude_none=True) if event.personal else None
    safety = Safety(event.risk_of_harm, event.safeguarding_flags, event.officer_in_case)
    case = RoutedCase(event.case_id, person, CaseStatus.OPEN, event.complete_by, safety=safety)
    if not await uow.store.add_case(case, personal, opened_at=event.decided_at):
        return
    await uow.store.add_conditions(case.case_id, list(event.conditions))
    await uow.store.replace_needs(case.case_id, _distinct(_needs(event.needs or ())))
    await replan(case, uow)
    if person.youth_offending_team and not await _youth_team_involved(case, uow):
        await refer_to_youth_team(case, uow)


async def needs_assessed(event: NeedsAssessed, uow: UnitOfWork) -> None:
    """Place new needs, recall referrals whose needs are all gone, try unmatched needs again."""
    case = await _case(event.case_id, uow)
    await uow.store.replace_needs(case.case_id, _distinct(_needs(event.needs)))
    if case.status not in planning.CONCLUDED:
        await replan(case, uow)


async def needs_found(event: ProgrammeNeedsFound, uow: UnitOfWork) -> None:
    """A programme's own assessment: place the needs the person agreed to be referred onward for, recall onward
    referrals a revised assessment no longer wants. A stale version (a later one is held) changes nothing."""
    case = await _case(event.case_id, uow)
    kept = await uow.store.record_assessment(
        event.referral_id, case.case_id, event.agency_id, event.version, event.needs, event.assessed_at
    )
    if kept and case.status not in planning.CONCLUDED:
        await replan(case, uow)


async def deadline_extended(event: DeadlineExtended, uow: UnitOfWork) -> None:
    await uow.store.set_deadline(event.case_id, event.complete_by)


async def breach_decided(event: BreachDecisionRecorded, uow: UnitOfWork) -> None:
    """Varied conditions may need agencies of their own; a new deadline is what agencies are told next."""
    case = await _case(event.case_id, uow)
    await uow.store.add_conditions(case.case_id, list(event.varied_conditions))
    if event.complete_by is not None:
        await uow.store.set_deadline(case.case_id, event.complete_by)
    if case.status not in planning.CONCLUDED:
        await replan(await _case(event.case_id, uow), uow)


async def referral_changed(event: ReferralStatusChanged, uow: UnitOfWork) -> None:
    """Follow compliance's change to a referral: free the place it held, place its needs again if it left
    its agency. A change that only echoes the router's own placement moves nothing but the count."""
    referral = await uow.store.referral(event.referral_id, for_update=True)
    if referral is None:
        return
    if event.status in planning.PLACEMENTS:
        return uow.store.note_sequence(referral.referral_id, event.sequence, now=uow.now())
    if not uow.store.follow_referral(referral.referral_id, event.status, event.sequence, now=uow.now()):
        return
    if event.status in planning.LEFT_THE_AGENCY:
        await reroute(referral, uow)
    if referral.status in ACTIVE and event.status not in ACTIVE:
        await release_capacity(referral.agency_id, uow)


async def condition_changed(event: ConditionStatusChanged, uow: UnitOfWork) -> None:
    """Follow compliance's change to a condition; one varied away may leave a referral no longer wanted."""
    if event.status.value != "varied":
        return uow.store.note_condition(event.case_id, event.condition_id, event.status.value, event.sequence)
    if await uow.store.follow_condition(event.case_id, event.condition_id, event.status.value, event.sequence):
        case = await _case(event.case_id, uow)
        if case.status not in planning.CONCLUDED:
            await replan(case, uow)


async def case_changed(event: CaseStatusChanged, uow: UnitOfWork) -> None:
    """Follow compliance's change to the case: a concluded case gets no more placements."""
    uow.store.follow_case(event.case_id, event.status, event.sequence)


async def replan(case: RoutedCase, uow: UnitOfWork) -> None:
    """Bring the case's referrals in line with the needs it wants now."""
    plan = planning.plan(await _wanted(case, uow), await uow.store.referrals_of_case(case.case_id))
    for referral in plan.recall:
        await _recall(referral, RecallReason.NEED_NO_LONGER_ASSESSED, uow)
    for _, needs in planning.by_origin(plan.to_place):
        await place(case, needs, uow, replacing=plan.replacing)


async def reroute(left: Referral, uow: UnitOfWork) -> None:
    """A referral left its agency (declined, withdrew, no answer in time): never ask that agency again for
    these needs, and place them elsewhere — or recall it, if nothing needs placing."""
    case = await _case(left.case_id, uow)
    if left.agency_id is not None:
        await uow.store.exclude(left.case_id, left.needs, left.agency_id)
    needs = planning.still_wanted(left, await _wanted(case, uow), await uow.store.referrals_of_case(case.case_id))
    if case.status in planning.CONCLUDED or not needs:
        return await _recall(left, RecallReason.REROUTE_NOT_NEEDED, uow)
    for _, group in planning.by_origin(needs):
        await place(case, group, uow, replacing=(left,))


async def _wanted(case: RoutedCase, uow: UnitOfWork) -> tuple[Need, ...]:
    return planning.wanted_needs(
        await uow.store.current_needs(case.case_id),
        await uow.store.conditions(case.case_id),
        await uow.store.onward_needs(case.case_id),
    )


async def _recall(referral: Referral, reason: RecallReason, uow: UnitOfWork) -> None:
    recalled = ReferralRecalled(case_id=referral.case_id, referral_id=referral.referral_id, reason=reason)
    uow.outbox.publish(recalled)


async def _youth_team_involved(case: RoutedCase, uow: UnitOfWork) -> bool:
    catalogue = uow.context.catalogue()
    teams = {agency.id for agency in catalogue.agencies if agency.youth_offending_team}
    return any(r.agency_id in teams for r in await uow.store.referrals_of_case(case.case_id))


async def _case(case_id, uow: UnitOfWork) -> RoutedCase:
    case = await uow.store.case(case_id, for_update=True)
    if case is None:
        raise UnknownCase(f"no case {case_id} was opened")
    return case


def _needs(needs) -> list[Need]:
    return [Need(n.category, n.severity, n.preferred_mode) for n in needs]


def _distinct(needs) -> tuple[Need, ...]:
    seen, result = set(), []
    for need in needs:
        if need.category not in seen:
            seen.add(need.category)
            result.append(need)
    return tuple(result)
