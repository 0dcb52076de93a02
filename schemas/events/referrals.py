"""Referral facts published by the referral router on `diversion.referrals.v1`.

A referral is one agency asked to work on one bundle of needs. Moving work to another agency
closes the old referral (`ReferralReassigned`) and issues a new one (`ReferralIssued`), so
personal data is disclosed in exactly one event type, to exactly the agency named in it.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from schemas.base import Event
from schemas.fields import AgencyId, ExplanationText, ReasonText
from schemas.parts import AssessedNeed, EventPart
from schemas.personal import PersonalDetails
from schemas.vocabulary import (
    CancellationReason,
    DeliveryMode,
    NeedCategory,
    ReassignmentReason,
    UnmatchedReason,
)

Needs = Annotated[tuple[AssessedNeed, ...], Field(min_length=1, max_length=len(NeedCategory))]


class CandidateAssessment(EventPart):
    """How the router judged one agency for this referral's needs: eligible or not, its score, why."""

    agency_id: AgencyId
    eligible: bool
    score: float | None = None
    reason: ReasonText


class ReferralIssued(Event):
    """An agency is asked to take on needs; `personal` is what it needs to contact the person."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.issued.v1"

    referral_id: UUID
    agency_id: AgencyId
    needs: Needs
    delivery_mode: DeliveryMode
    explanation: ExplanationText = Field(description="Why this agency: the router's explained score.")
    respond_by: AwareDatetime
    candidates: Annotated[tuple[CandidateAssessment, ...], Field(max_length=50)] = Field(
        default=(), description="Every agency considered for these needs, chosen or not, with the reason."
    )
    personal: PersonalDetails | None


class ReferralReassigned(Event):
    """A referral was closed and its needs issued to another agency as a new referral."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.reassigned.v1"

    referral_id: UUID
    agency_id: AgencyId
    new_referral_id: UUID
    new_agency_id: AgencyId
    reason: ReassignmentReason


class ReferralUnmatched(Event):
    """Needs the router could not place with any agency; they wait for a person to act."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.unmatched.v1"

    needs: Needs
    reason: UnmatchedReason
    explanation: ExplanationText


class ReferralCancelled(Event):
    """A referral ended before its intervention did, because its case ended."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.cancelled.v1"

    referral_id: UUID
    agency_id: AgencyId
    reason: CancellationReason
