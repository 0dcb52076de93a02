"""Case lifecycle facts published by intake on `diversion.cases.v1`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from schemas.base import Event
from schemas.fields import (
    AgeAtOffence,
    AmountPence,
    AreaCode,
    AttendanceHours,
    ConditionText,
    ForceId,
    GravityScore,
    PoliceReference,
    ReasonText,
    RuleName,
    SubjectRef,
)
from schemas.parts import AssessedNeed, EventPart
from schemas.personal import PersonalDetails
from schemas.vocabulary import (
    ConditionKind,
    DashRiskLevel,
    DisposalType,
    ExtensionReason,
    NeedCategory,
    OffenceCategory,
    Sex,
    WithdrawalReason,
)


class CaseCondition(EventPart):
    """A condition of the disposal, with the id that outcome events refer to."""

    condition_id: UUID
    kind: ConditionKind
    description: ConditionText
    attendance_hours: AttendanceHours | None = None
    amount_pence: AmountPence | None = None
    addresses_need: NeedCategory | None = None


class CaseOpened(Event):
    """A decision passed the force's policy and the case is open.

    Carries what the router needs to match agencies (age, sex, area, disposal, DA risk) and
    `personal`, because the router passes it on to the agency that must contact the person.
    """

    event_type: ClassVar[str] = "uk.police.diversion.case.opened.v1"

    subject_ref: SubjectRef
    force_id: ForceId
    police_reference: PoliceReference
    disposal_type: DisposalType
    offence_category: OffenceCategory
    gravity_score: GravityScore = Field(description="After adjustment for aggravating or mitigating factors.")
    age_at_offence: AgeAtOffence
    sex: Sex
    area: AreaCode
    domestic_abuse: bool
    dash_risk: DashRiskLevel | None = None
    youth_offending_team: bool = Field(
        default=False, description="Youth case: the youth offending team must be part of the referral."
    )
    conditions: Annotated[tuple[CaseCondition, ...], Field(max_length=10)] = ()
    decided_at: AwareDatetime
    complete_by: date
    personal: PersonalDetails | None


class RuleOutcome(EventPart):
    """One eligibility rule as applied to the decision, with the reason in words."""

    rule: RuleName
    passed: bool
    reason: ReasonText


class CaseRejected(Event):
    """A decision failed the force's policy; every rule's outcome is listed, passed or not."""

    event_type: ClassVar[str] = "uk.police.diversion.case.rejected.v1"

    force_id: ForceId
    police_reference: PoliceReference
    disposal_type: DisposalType
    rule_outcomes: Annotated[tuple[RuleOutcome, ...], Field(min_length=1, max_length=50)]


class CaseWithdrawn(Event):
    """The police withdrew the case."""

    event_type: ClassVar[str] = "uk.police.diversion.case.withdrawn.v1"

    reason: WithdrawalReason
    withdrawn_at: AwareDatetime


class NeedsAssessed(Event):
    """The needs to route for a case; a later assessment replaces an earlier one."""

    event_type: ClassVar[str] = "uk.police.diversion.needs.assessed.v1"

    needs: Annotated[tuple[AssessedNeed, ...], Field(max_length=len(NeedCategory))]
    assessed_at: AwareDatetime


class DeadlineExtended(Event):
    """The case's completion deadline moved, exceptionally, past the normal limit."""

    event_type: ClassVar[str] = "uk.police.diversion.deadline.extended.v1"

    previous_complete_by: date
    complete_by: date
    reason: ExtensionReason
