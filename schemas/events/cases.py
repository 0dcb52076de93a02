"""What intake records on `diversion.cases.v1`: cases opened or rejected, needs assessed, and the
police's later decisions on a case — withdrawal, deadline extension, condition progress they report,
their decision after a breach. Whether a decision changes the case is compliance's to say (it owns
the case's status); these are the police's facts, in the order they were made.
"""

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
    ConditionText,
    ForceId,
    GravityScore,
    Hours,
    OfficerId,
    PoliceReference,
    ReasonText,
    RuleName,
    Sequence,
    SourceText,
    SubjectRef,
)
from schemas.parts import AssessedNeed, EventPart, OfficerContact
from schemas.personal import SealedPersonalDetails
from schemas.vocabulary import (
    ConditionKind,
    ConditionReporter,
    DashRiskLevel,
    DisposalType,
    Evidence,
    ExtensionReason,
    NeedCategory,
    OffenceCategory,
    PoliceDecision,
    ProgressReport,
    RiskLevel,
    SafeguardingFlag,
    Sex,
    VictimViews,
    WithdrawalReason,
)


class CaseCondition(EventPart):
    """A condition of the disposal, with the id later events refer to and its own deadline, if it has
    one: a date in England and Wales, on or before the case's (when null, the case's, wherever that
    moves)."""

    condition_id: UUID
    kind: ConditionKind
    description: ConditionText
    evidence: Evidence
    reported_by: ConditionReporter
    addresses_need: NeedCategory | None = None
    hours: Hours | None = None
    amount_pence: AmountPence | None = None
    complete_by: date | None = None


Conditions = Annotated[tuple[CaseCondition, ...], Field(max_length=10)]


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
    conditions: Conditions = ()
    needs: Annotated[tuple[AssessedNeed, ...], Field(max_length=len(NeedCategory))] | None = Field(
        default=None, description="The needs assessed with the decision; null when none was done yet."
    )
    decided_at: AwareDatetime
    complete_by: date = Field(description="The deadline: a date in England and Wales, met by the end of that day.")
    victim_views: VictimViews | None = Field(
        default=None,
        description="Whether the victim's views were sought (or there is no identifiable victim): a case with a "
        "victim has its outcome told to the victim-contact role.",
    )
    risk_of_harm: RiskLevel | None = None
    safeguarding_flags: Annotated[tuple[SafeguardingFlag, ...], Field(max_length=len(SafeguardingFlag))] = ()
    officer_in_case: OfficerContact | None = Field(
        default=None, description="The officer in the case's work contact, for the agencies allowed it."
    )
    personal: SealedPersonalDetails | None


class RuleOutcome(EventPart):
    """One eligibility rule as applied to the decision, with the reason in words."""

    rule: RuleName
    passed: bool
    reason: ReasonText
    source: SourceText | None = Field(
        default=None, description="The Act, statutory instrument, guidance or force policy the rule comes from."
    )


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


class ConditionProgressReported(Event):
    """The officer in the case or the victim-contact role reported progress on a condition."""

    event_type: ClassVar[str] = "uk.police.diversion.condition.reported.v1"

    condition_id: UUID
    reported_by: ConditionReporter
    report: ProgressReport
    amount_pence: AmountPence | None = None
    hours: Hours | None = None
    occurred_at: AwareDatetime


class BreachDecisionRecorded(Event):
    """The police decided what follows a breach (or a case that could not be complied with).

    `breach_sequence` is the case's change count when it came to await this decision, so a decision
    is applied only to the breach it was made on.
    """

    event_type: ClassVar[str] = "uk.police.diversion.breach.decided.v1"

    decision: PoliceDecision
    officer: OfficerId
    decided_at: AwareDatetime
    reason: ReasonText
    breach_sequence: Sequence
    complete_by: date | None = None
    varied_conditions: Conditions = ()
    person_consented_to_variation: bool | None = Field(
        default=None, description="With varied conditions: the person consented to them, as the law requires."
    )
