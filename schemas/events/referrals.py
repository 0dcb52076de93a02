"""What the referral router decided about placing a case's needs, on `diversion.referrals.v1`.

The router *places*: it chooses the agency for a bundle of needs (issued, or queued while the agency
is full), says when none can take them (unmatched), and recalls a referral whose needs are no longer
wanted. It does not decide what then happens to a referral — accepted, completed, declined, timed
out, cancelled: that lifecycle is compliance's alone (`referral.changed` on `diversion.compliance.v1`),
and the router follows it. A referral that leaves its agency is re-placed as a new referral that
names the one it `replaces`.

Personal data is disclosed in exactly one event type, `referral.issued`, to exactly the agency named
in it, and only the fields that agency's catalogue entry allows.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from schemas.base import Event
from schemas.fields import AgencyId, AmountPence, ConditionText, ExplanationText, Hours, ReasonText
from schemas.parts import AssessedNeed, EventPart, OfficerContact
from schemas.personal import SealedPersonalDetails
from schemas.vocabulary import (
    ConditionKind,
    DashRiskLevel,
    DeliveryMode,
    DisposalType,
    Evidence,
    NeedCategory,
    RecallReason,
    RiskLevel,
    SafeguardingFlag,
    UnmatchedReason,
)

Needs = Annotated[tuple[AssessedNeed, ...], Field(min_length=1, max_length=len(NeedCategory))]
OnwardFrom = Annotated[
    UUID | None,
    Field(
        description="An onward referral: the referral whose agency found these needs in its own assessment, and the "
        "person agreed to be referred. Support, never a condition: it does not hold up the case's completion."
    ),
]
Replaces = Annotated[
    tuple[UUID, ...],
    Field(
        max_length=len(NeedCategory),
        description="Referrals whose needs this one takes over: one that left its agency, or needs that had "
        "found no agency before.",
    ),
]


class CandidateAssessment(EventPart):
    """How the router judged one agency for this referral's needs: eligible or not, its score, why."""

    agency_id: AgencyId
    eligible: bool
    score: float | None = None
    reason: ReasonText


class ConditionToDeliver(EventPart):
    """A condition of the case the agency delivers (it addresses one of the referral's needs)."""

    condition_id: UUID
    kind: ConditionKind
    description: ConditionText
    evidence: Evidence
    hours: Hours | None = None
    amount_pence: AmountPence | None = None
    complete_by: date


class DeliveryBrief(EventPart):
    """What the agency is told it must deliver and needs to work safely, and no more: each field only where the
    agency's catalogue entry allows it (the DASH risk level for domestic-abuse programmes only)."""

    disposal_type: DisposalType | None = None
    complete_by: date | None = Field(default=None, description="The case's deadline (a date in England and Wales).")
    conditions: Annotated[tuple[ConditionToDeliver, ...], Field(max_length=10)] = ()
    dash_risk: DashRiskLevel | None = None
    needs: Annotated[tuple[AssessedNeed, ...], Field(max_length=len(NeedCategory))] = Field(
        default=(), description="The referral's needs, each with how pressing it is."
    )
    risk_of_harm: RiskLevel | None = None
    safeguarding_flags: Annotated[tuple[SafeguardingFlag, ...], Field(max_length=len(SafeguardingFlag))] = ()
    officer: OfficerContact | None = Field(default=None, description="The officer in the case, to contact.")


class ReferralIssued(Event):
    """An agency is asked to take on needs; `personal` and `brief` are what it needs to contact the
    person and deliver. A youth case's statutory referral to the youth offending team may carry no
    needs: the team assesses them."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.issued.v1"

    referral_id: UUID
    agency_id: AgencyId
    needs: Annotated[tuple[AssessedNeed, ...], Field(max_length=len(NeedCategory))]
    delivery_mode: DeliveryMode
    explanation: ExplanationText = Field(description="Why this agency: the router's explained score.")
    respond_by: AwareDatetime
    candidates: Annotated[tuple[CandidateAssessment, ...], Field(max_length=50)] = Field(
        default=(), description="Every agency considered for these needs, chosen or not, with the reason."
    )
    issued_at: AwareDatetime
    replaces: Replaces = ()
    onward_from: OnwardFrom = None
    brief: DeliveryBrief = DeliveryBrief()
    personal: SealedPersonalDetails | None


class ReferralQueued(Event):
    """Needs placed with an agency that is full: the referral waits for a place and is issued (same id)
    when one frees. Nothing is disclosed to the agency until then."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.queued.v1"

    referral_id: UUID
    agency_id: AgencyId
    needs: Needs
    delivery_mode: DeliveryMode
    explanation: ExplanationText
    replaces: Replaces = ()
    onward_from: OnwardFrom = None


class ReferralUnmatched(Event):
    """Needs the router could not place with any agency; they wait, under this referral id, for a person
    to act (or a re-assessment to place them afresh)."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.unmatched.v1"

    referral_id: UUID
    needs: Needs
    reason: UnmatchedReason
    explanation: ExplanationText
    replaces: Replaces = ()
    onward_from: OnwardFrom = None


class ReferralRecalled(Event):
    """The router no longer wants this referral: compliance cancels it if it is still open, and
    otherwise only notes that nothing will replace it."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.recalled.v1"

    referral_id: UUID
    reason: RecallReason
