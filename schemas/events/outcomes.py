"""What compliance decides, on `diversion.compliance.v1`: every change to a referral, a condition and
a case, for police systems, operations, intake and the router to follow.

Compliance is the one owner of these three lifecycles; every other service holds a copy and updates
it only from these events. Each event carries the record's `sequence` (its count of changes), so a
follower applies a change only when it is newer than what it holds, however the events arrive.
Case events carry the police's own reference, so a police system can act on an outcome without
keeping a map of platform case ids.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from schemas.base import Event
from schemas.fields import AgencyId, ForceId, PoliceReference, ReasonCode, Sequence
from schemas.vocabulary import (
    BreachNextStep,
    CaseStatus,
    ConditionKind,
    ConditionStatus,
    DisposalType,
    NeedCategory,
    NonComplianceReason,
    PoliceDecision,
    ReferralStatus,
)


class ReferralStatusChanged(Event):
    """A referral moved to `status` (its first event is where the router placed it)."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.changed.v1"

    referral_id: UUID
    agency_id: AgencyId | None = Field(description="None while the referral is unmatched.")
    needs: tuple[NeedCategory, ...]
    status: ReferralStatus
    previous_status: ReferralStatus | None
    reason: ReasonCode | None = Field(
        default=None, description="Why: a decline, withdrawal or cancellation reason, or a breach reason."
    )
    sequence: Sequence
    changed_at: AwareDatetime


class ConditionStatusChanged(Event):
    """A condition's status or progress changed (a part-payment, hours done)."""

    event_type: ClassVar[str] = "uk.police.diversion.condition.changed.v1"

    condition_id: UUID
    kind: ConditionKind
    status: ConditionStatus
    reason: NonComplianceReason | None = None
    amount_paid_pence: int = Field(default=0, ge=0)
    hours_done: int = Field(default=0, ge=0)
    sequence: Sequence
    changed_at: AwareDatetime


class CaseStatusChanged(Event):
    """The case moved to `status`: the outcome police systems act on.

    `awaiting_police_decision` follows a caution's breach (`reason` says what, `next_step` which path)
    or a case that could not be complied with because no place was available (`no_place_available`);
    the police answer with a decision, recorded by intake.
    """

    event_type: ClassVar[str] = "uk.police.diversion.case.changed.v1"

    force_id: ForceId
    police_reference: PoliceReference
    disposal_type: DisposalType
    status: CaseStatus
    previous_status: CaseStatus
    reason: NonComplianceReason | None = None
    next_step: BreachNextStep | None = None
    police_decision: PoliceDecision | None = None
    complete_by: date
    sequence: Sequence
    changed_at: AwareDatetime
