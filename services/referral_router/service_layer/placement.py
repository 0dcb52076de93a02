"""Turning a match into referrals — issued, queued or unmatched — recorded and announced, with capacity
reserved per agency.

Matching is pure and reads agency load. Two replicas could otherwise count the same free place
twice, so the counters of the agencies a transaction places with are locked and checked unchanged
when it is written, and the transaction is retried on the new load if one moved (see `router_batch`,
`CapacityMovedMeanwhile`). Issuing a referral
discloses the person's details and the brief to the agency — only the fields its catalogue entry
allows — so each issue is recorded as a disclosure in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from platform_plumbing.audit_trail import Action, Purpose
from schemas.calendar import add_working_days
from schemas.events import CandidateAssessment, ReferralIssued, ReferralQueued, ReferralUnmatched
from schemas.parts import AssessedNeed
from schemas.personal import SealedPersonalDetails
from schemas.vocabulary import DeliveryMode, ReferralStatus, UnmatchedReason
from services.referral_router.domain import planning
from services.referral_router.domain.catalogue import Agency, Catalogue
from services.referral_router.domain.entities import Referral, RoutedCase
from services.referral_router.domain.hand_placement import HandDecision, placed_by_hand
from services.referral_router.domain.matching import Need, Placement, match, youth_team_referral
from services.referral_router.service_layer.unit_of_work import UnitOfWork

DISCLOSURE_PURPOSE = "the agency contacts the person to assess and deliver the intervention"


async def place(
    case: RoutedCase, needs: Sequence[Need], uow: UnitOfWork, *, replacing: Sequence[Referral] = ()
) -> list[Referral]:
    """Match `needs`, record and announce a referral per agency chosen and one per group of needs nobody
    can take; each names the referrals in `replacing` whose needs it takes over."""
    catalogue = uow.context.catalogue()
    excluded = await uow.store.exclusions(case.case_id)
    result = match(case.person, needs, catalogue, await uow.store.agency_load(), excluded)
    placed = [(_from_placement(p, case, replacing, catalogue, uow), None) for p in result.placements]
    for unplaced in result.unplaced:
        unmatched = Referral(
            referral_id=uow.context.new_id(),
            case_id=case.case_id,
            agency_id=None,
            needs=unplaced.needs,
            delivery_mode=DeliveryMode.FACE_TO_FACE,
            status=ReferralStatus.UNMATCHED,
            explanation=unplaced.explanation,
            candidates=[],
            replaces=planning.replaced_by(unplaced.needs, replacing),
            onward_from=unplaced.needs[0].onward_from,
        )
        placed.append((unmatched, unplaced.reason))
    for referral, unmatched_because in placed:
        uow.store.add_referral(referral, now=uow.now())
        await announce(referral, case, uow, unmatched_because=unmatched_because)
    return [referral for referral, _ in placed]


class UnknownReferral(LookupError):
    """No referral has this id."""


class UnknownAgency(LookupError):
    """No agency in the catalogue in force has this id."""


class NotUnplaced(Exception):
    """The referral's needs do not wait for a place by hand: placed already, recalled, or its case is over."""


async def place_by_hand(
    referral_id: UUID, agency_id: str, decision: HandDecision, uow: UnitOfWork, *, via: str
) -> Referral:
    """Place the needs of an unmatched referral with the agency the diversion team chose (`hand_placement` says what
    their decision may set aside); the new referral replaces the unmatched one, which compliance then cancels.

    Locks the unmatched referral, then its case, as a consumer batch does; a second submission of the same form
    finds the referral replaced already and places nothing. Raises `UnknownReferral`, `NotUnplaced`, `UnknownAgency`
    or `HandPlacementRefused`. `via`: the client that carried the decision (audited).
    """
    unmatched = await uow.store.referral(referral_id, for_update=True)
    if unmatched is None:
        raise UnknownReferral(referral_id)
    if unmatched.status != ReferralStatus.UNMATCHED:
        raise NotUnplaced(f"these needs are not waiting for a place by hand: the referral is {unmatched.status.value}")
    case = await uow.store.case(unmatched.case_id, for_update=True)
    if case is None or case.status in planning.CONCLUDED:
        raise NotUnplaced("the case is concluded: nothing more is placed for it")
    if any(referral_id in r.replaces for r in await uow.store.referrals_of_case(case.case_id)):
        raise NotUnplaced("these needs were placed already")
    catalogue = uow.context.catalogue()
    try:
        agency = catalogue.agency(agency_id)
    except KeyError:
        raise UnknownAgency(agency_id) from None
    declined = frozenset(
        c for c, agencies in (await uow.store.exclusions(case.case_id)).items() if agency_id in agencies
    )
    load = (await uow.store.agency_load()).get(agency_id, 0)
    needs = await _as_found(unmatched, uow)
    placement = placed_by_hand(agency, needs, case.person, decision, load=load, declined=declined)
    referral = _from_placement(placement, case, (unmatched,), catalogue, uow)
    uow.store.add_referral(referral, now=uow.now())
    await announce(referral, case, uow)
    uow.audit(
        actor=decision.actor,
        action=Action.ALTERATION,
        purpose=Purpose.REFERRAL,
        case_id=case.case_id,
        referral_id=referral.referral_id,
        recipient=agency_id,
        detail=f"placed by hand, replacing unmatched referral {referral_id} (sent by {via})",
    )
    return referral


async def _as_found(referral: Referral, uow: UnitOfWork) -> tuple[Need, ...]:
    """The referral's needs with where they came from: an onward referral's were found by the agency of the referral
    it names, which is not asked to take them (the stored needs keep only category, severity and mode)."""
    if referral.onward_from is None:
        return referral.needs
    found = await uow.store.referral(referral.onward_from)
    found_by = found.agency_id if found is not None else None
    return tuple(replace(need, onward_from=referral.onward_from, found_by=found_by) for need in referral.needs)


async def refer_to_youth_team(case: RoutedCase, uow: UnitOfWork) -> Referral | None:
    """Every youth case reaches the youth offending team, with or without needs to place."""
    placement = youth_team_referral(case.person, uow.context.catalogue(), await uow.store.agency_load())
    if placement is None:
        return None
    referral = _from_placement(placement, case, (), uow.context.catalogue(), uow)
    uow.store.add_referral(referral, now=uow.now())
    await announce(referral, case, uow)
    return referral


async def announce(
    referral: Referral, case: RoutedCase, uow: UnitOfWork, *, unmatched_because: UnmatchedReason | None = None
) -> None:
    """Publish the placement: issued (with what the agency may be told), queued, or unmatched."""
    if referral.status == ReferralStatus.ISSUED:
        await announce_issued(referral, case, uow)
    elif referral.status == ReferralStatus.QUEUED:
        queued = ReferralQueued(
            **_placement(referral), agency_id=referral.agency_id, delivery_mode=referral.delivery_mode
        )
        uow.outbox.publish(queued)
    else:
        uow.outbox.publish(ReferralUnmatched(**_placement(referral), reason=unmatched_because))


async def announce_issued(referral: Referral, case: RoutedCase, uow: UnitOfWork) -> None:
    agency = uow.context.catalogue().agency(referral.agency_id)
    allowed = agency.discloses
    consented = referral.onward_from is None or await uow.store.consented(referral.onward_from, referral.needs)
    personal = planning.minimised(await uow.store.personal_details(case.case_id), allowed, consented=consented)
    brief = planning.brief(referral.needs, case, await uow.store.conditions(case.case_id), allowed)
    uow.outbox.publish(
        ReferralIssued(
            **_placement(referral),
            agency_id=referral.agency_id,
            delivery_mode=referral.delivery_mode,
            issued_at=referral.issued_at,
            respond_by=referral.respond_by,
            candidates=[CandidateAssessment(**note) for note in referral.candidates[:50]],
            brief=brief,
            personal=SealedPersonalDetails.model_validate(personal) if personal else None,
        )
    )
    disclosed = sorted(
        [*(name for name, value in (personal or {}).items() if value is not None)]
        + [name for name, value in brief.model_dump(exclude_defaults=True).items() if value]
    )
    uow.store.record_disclosure(referral, disclosed, why=DISCLOSURE_PURPOSE, at=uow.now())


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
    now = uow.now()
    for queued in await uow.store.queued_for(agency_id, limit=free):
        case = await uow.store.case(queued.case_id)
        respond_by = answer_due(agency, catalogue, now)
        uow.store.mark_issued(queued.referral_id, issued_at=now, respond_by=respond_by)
        issued = Referral(
            **{**vars(queued), "status": ReferralStatus.ISSUED, "issued_at": now, "respond_by": respond_by}
        )
        await announce_issued(issued, case, uow)


def answer_due(agency: Agency, catalogue: Catalogue, issued_at: datetime) -> datetime:
    """When the agency must accept or decline: its service level in working days from issue."""
    return add_working_days(issued_at, agency.respond_within_working_days, catalogue.bank_holidays)


def _from_placement(
    placement: Placement, case: RoutedCase, replacing: Sequence[Referral], catalogue: Catalogue, uow: UnitOfWork
) -> Referral:
    now = uow.now()
    return Referral(
        referral_id=uow.context.new_id(),
        case_id=case.case_id,
        agency_id=placement.agency_id,
        needs=placement.needs,
        delivery_mode=placement.delivery_mode,
        status=ReferralStatus.QUEUED if placement.queued else ReferralStatus.ISSUED,
        explanation=placement.explanation,
        candidates=[vars(note) for note in placement.candidates],
        issued_at=None if placement.queued else now,
        respond_by=None if placement.queued else answer_due(catalogue.agency(placement.agency_id), catalogue, now),
        replaces=planning.replaced_by(placement.needs, replacing),
        onward_from=placement.needs[0].onward_from if placement.needs else None,
    )


def _placement(referral: Referral) -> dict:
    """What every placement event says of its referral."""
    return {
        "case_id": referral.case_id,
        "referral_id": referral.referral_id,
        "needs": [_need(n) for n in referral.needs],
        "explanation": referral.explanation[:1000],
        "replaces": referral.replaces,
        "onward_from": referral.onward_from,
    }


def _need(need: Need) -> AssessedNeed:
    return AssessedNeed(category=need.category, severity=need.severity, preferred_mode=need.preferred_mode)
