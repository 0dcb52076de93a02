"""Turning a match into referrals: issued, queued or unmatched, with capacity counted under a lock.

Matching is pure and reads agency load. Two replicas could otherwise count the same free place
twice, so load is read under the router's capacity lock (see `RouterStore.lock_capacity`), which
every routing transaction takes first: the consumer at the start of each batch, the sweep itself.
Issuing a referral discloses the person's details to the agency, so each issue is audit-logged
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas.events import CandidateAssessment, ReferralIssued, ReferralUnmatched
from schemas.parts import AssessedNeed
from schemas.personal import PersonalDetails
from services.referral_router.adapters.referral_store import Referral, RoutedCase
from services.referral_router.domain.catalogue import Agency, Catalogue
from services.referral_router.domain.matching import MatchResult, Need, match
from services.referral_router.domain.working_days import add_working_days
from services.referral_router.service_layer.unit_of_work import UnitOfWork

DISCLOSURE_PURPOSE = "referral: the agency contacts the person to assess and deliver the intervention"


@dataclass(frozen=True)
class Placed:
    issued: list[Referral]
    queued: list[Referral]
    unplaced_needs: int


async def place(case: RoutedCase, needs: tuple[Need, ...], uow: UnitOfWork) -> tuple[Placed, MatchResult]:
    """Match `needs` and record the referrals (not yet announced: see `announce`)."""
    catalogue = uow.context.catalogue()
    excluded = await uow.store.exclusions(case.case_id)
    result = match(case.person, needs, catalogue, await uow.store.agency_load(), excluded)
    now = uow.context.clock.now()
    issued, queued = [], []
    for placement in result.placements:
        agency = catalogue.agency(placement.agency_id)
        referral = Referral(
            referral_id=uow.context.new_id(),
            case_id=case.case_id,
            agency_id=placement.agency_id,
            needs=placement.needs,
            delivery_mode=placement.delivery_mode,
            status="queued" if placement.queued else "issued",
            explanation=placement.explanation,
            candidates=[vars(note) for note in placement.candidates],
            issued_at=None if placement.queued else now,
            respond_by=None if placement.queued else answer_due(agency, catalogue, now),
        )
        await uow.store.add_referral(referral, now=now)
        (queued if placement.queued else issued).append(referral)
    for unplaced in result.unplaced:
        await uow.store.add_unmatched(
            case.case_id, unplaced.needs, unplaced.reason.value, unplaced.explanation, now=now
        )
    return Placed(issued, queued, sum(len(u.needs) for u in result.unplaced)), result


async def announce(placed: Placed, result: MatchResult, case: RoutedCase, uow: UnitOfWork) -> None:
    """Publish the issued referrals (with the personal details the agency needs) and the unmatched needs."""
    for referral in placed.issued:
        await announce_issued(referral, uow)
    for unplaced in result.unplaced:
        await uow.outbox.publish(
            ReferralUnmatched(
                case_id=case.case_id,
                needs=[_need(n) for n in unplaced.needs],
                reason=unplaced.reason,
                explanation=unplaced.explanation[:1000],
            )
        )


async def announce_issued(referral: Referral, uow: UnitOfWork) -> None:
    personal = await uow.store.personal_details(referral.case_id)
    await uow.outbox.publish(
        ReferralIssued(
            case_id=referral.case_id,
            referral_id=referral.referral_id,
            agency_id=referral.agency_id,
            needs=[_need(n) for n in referral.needs],
            delivery_mode=referral.delivery_mode,
            explanation=referral.explanation[:1000],
            respond_by=referral.respond_by,
            candidates=[CandidateAssessment(**note) for note in referral.candidates[:50]],
            personal=PersonalDetails.model_validate(personal) if personal else None,
        )
    )
    if personal:
        disclosed = sorted(field for field, value in personal.items() if value is not None)
        await uow.store.record_disclosure(referral, disclosed, purpose=DISCLOSURE_PURPOSE, at=uow.context.clock.now())


def answer_due(agency: Agency, catalogue: Catalogue, issued_at: datetime) -> datetime:
    """When the agency must accept or decline: its service level in working days from issue."""
    return add_working_days(issued_at, agency.respond_within_working_days, catalogue.bank_holidays)


def _need(need: Need) -> AssessedNeed:
    return AssessedNeed(category=need.category, severity=need.severity, preferred_mode=need.preferred_mode)
