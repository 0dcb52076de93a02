"""Commands from police systems: decide a diversion, assess needs, withdraw a case, report a
condition's progress, decide after a breach.

They arrive over HTTP or on `diversion.decisions.v1`. Police systems do not know the platform's
`case_id`, so they name a case by their own `police_reference` within their `force_id`. These
models check shape only (strictly: a number is not a date, `0` is not `false`); whether a decision
is allowed (age, gravity, DA screen, which conditions…) is the force's policy, applied by intake.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, model_validator

from schemas.base import Command
from schemas.fields import (
    AgeAtOffence,
    AmountPence,
    AreaCode,
    AuthorityReference,
    ConditionText,
    Day,
    Flag,
    ForceId,
    GravityScore,
    Hours,
    OffenceCode,
    OfficerId,
    PoliceReference,
    ReasonText,
    RecordCount,
    Sequence,
    SubjectRef,
    Timestamp,
)
from schemas.parts import AssessedNeed, InboundPart, OfficerContact
from schemas.personal import SubmittedPersonalDetails
from schemas.vocabulary import (
    ConditionKind,
    ConditionReporter,
    DashRiskLevel,
    DisposalType,
    Evidence,
    ModeOfTrial,
    NeedCategory,
    OffenceCategory,
    PoliceDecision,
    ProgressReport,
    Rank,
    RiskLevel,
    SafeguardingFlag,
    Sex,
    VictimViews,
    VictimWish,
    WithdrawalReason,
)

MAX_NEEDS = len(NeedCategory)
MAX_CONDITIONS = 10


class SubmittedOfficerContact(OfficerContact):
    """The officer in the case as submitted: unknown fields rejected."""

    model_config = InboundPart.model_config


class SubmittedNeed(AssessedNeed):
    """An assessed need as submitted: the same shape as in events, unknown fields rejected."""

    model_config = InboundPart.model_config


Needs = Annotated[tuple[SubmittedNeed, ...], Field(max_length=MAX_NEEDS)]


class Offence(InboundPart):
    """The offence and its gravity; the score is adjusted ±1 by the flags, within 1–4."""

    code: OffenceCode
    category: OffenceCategory
    gravity_score: GravityScore
    aggravating: Flag = False
    mitigating: Flag = False
    mode_of_trial: ModeOfTrial | None = Field(
        default=None,
        description="Summary, either way or indictable only: caps a financial penalty and says whether a Crown "
        "Prosecutor must authorise a conditional caution. The policy refuses a decision without it.",
    )


class Authorisation(InboundPart):
    """Who authorised the disposal: the policy sets the lowest rank that may, per disposal."""

    officer: OfficerId
    rank: Rank


class CriminalHistory(InboundPart):
    """The part of the person's record that eligibility rules weigh."""

    previous_convictions: RecordCount
    previous_cautions: RecordCount
    domestic_abuse_conviction_or_caution_within_2_years: Flag


class DomesticAbuseScreen(InboundPart):
    """Typology and risk screen; present exactly when the offence is domestic-abuse related."""

    intimate_partner: Flag
    dash_risk: DashRiskLevel
    coercive_controlling: Flag
    victim_contacted_and_agrees: Flag


_EVIDENCE_OF = {
    ConditionKind.COMPENSATION: {Evidence.PAYMENT},
    ConditionKind.RESTRICTIVE: {Evidence.NO_VIOLATION},
}
"""Kinds that allow only some evidence; every other kind takes any evidence but `no_violation`."""
COUNTED_IN_HOURS = frozenset({Evidence.HOURS_WORKED, Evidence.ATTENDANCE})


class ImposedCondition(InboundPart):
    """A condition attached to the disposal: what it is, who reports it, the evidence that it was met,
    and its own deadline (the case's when left out).

    The shape is checked here: a payment needs an amount, hours worked need the hours, an agency can
    report only a condition addressing a need it delivers. Which conditions a disposal may carry,
    and their limits (unpaid work, financial penalties), are policy, applied by intake.
    """

    kind: ConditionKind
    description: ConditionText
    evidence: Evidence
    reported_by: ConditionReporter
    addresses_need: NeedCategory | None = None
    hours: Hours | None = Field(default=None, description="Hours to attend or work, for those kinds of evidence.")
    amount_pence: AmountPence | None = Field(default=None, description="The amount to pay, for `payment`.")
    complete_by: Day | None = Field(
        default=None, description="Its own deadline, on or before the case's; the case's when left out."
    )

    @model_validator(mode="after")
    def _coherent(self) -> ImposedCondition:
        allowed = _EVIDENCE_OF.get(self.kind)
        if allowed is not None and self.evidence not in allowed:
            raise ValueError(f"a {self.kind.value} condition is evidenced by {', '.join(sorted(allowed))}")
        if allowed is None and self.evidence == Evidence.NO_VIOLATION:
            raise ValueError("only a restrictive condition is evidenced by no_violation")
        if (self.evidence == Evidence.PAYMENT) != (self.amount_pence is not None):
            raise ValueError("`amount_pence` is required with payment evidence, and only then")
        if self.evidence in COUNTED_IN_HOURS and self.hours is None:
            raise ValueError(f"`hours` is required with {self.evidence.value} evidence")
        if self.reported_by == ConditionReporter.AGENCY:
            if self.addresses_need is None:
                raise ValueError("a condition reported by an agency must name the need it addresses")
            if self.evidence not in (Evidence.COMPLETION, Evidence.ATTENDANCE):
                raise ValueError("an agency reports completion or attendance, not " + self.evidence.value)
        return self


class DiversionDecision(Command):
    """A police decision to divert a person from court with an out-of-court disposal."""

    command_type: ClassVar[str] = "uk.police.diversion.decision.submit.v1"

    force_id: ForceId
    police_reference: PoliceReference
    subject_ref: SubjectRef
    disposal_type: DisposalType
    offence: Offence
    age_at_offence: AgeAtOffence
    sex: Sex
    area: AreaCode
    admission: Flag
    sufficient_evidence: Flag
    consent: Flag
    victim_views: VictimViews
    appropriate_adult_present: Flag = False
    criminal_history: CriminalHistory
    domestic_abuse: DomesticAbuseScreen | None = None
    decided_at: Timestamp
    authorised_by: Authorisation | None = Field(
        default=None, description="The authorising officer and rank; the policy refuses a decision without one."
    )
    prosecutor_authority: AuthorityReference | None = Field(
        default=None, description="For an offence triable only on indictment: the Crown Prosecutor's authority."
    )
    victim_wishes: Annotated[tuple[VictimWish, ...], Field(max_length=len(VictimWish))] = Field(
        default=(),
        description="What the victim said they want (their own words go, sealed, in `personal.victim_comment`); "
        "the explained outcome says how the disposal answers each.",
    )
    conditions: Annotated[tuple[ImposedCondition, ...], Field(max_length=MAX_CONDITIONS)] = Field(
        default=(), description="Required for a caution (the policy says which kinds each disposal allows)."
    )
    needs: Needs | None = Field(default=None, description="The needs assessment, when it was done before the decision.")
    risk_of_harm: RiskLevel | None = Field(
        default=None, description="The officer's assessment of the person's risk of harm to others."
    )
    safeguarding_flags: Annotated[tuple[SafeguardingFlag, ...], Field(max_length=len(SafeguardingFlag))] = Field(
        default=(), description="What anyone working with the person must know to work safely."
    )
    officer_in_case: SubmittedOfficerContact | None = Field(
        default=None, description="Who an agency may contact about the person: told to the agencies allowed it."
    )
    personal: SubmittedPersonalDetails


class NeedsAssessment(Command):
    """The needs found for a person whose case is already open."""

    command_type: ClassVar[str] = "uk.police.diversion.assessment.submit.v1"

    force_id: ForceId
    police_reference: PoliceReference
    assessed_at: Timestamp
    needs: Needs


class WithdrawCase(Command):
    """The police withdraw a case they decided on; open referrals are cancelled."""

    command_type: ClassVar[str] = "uk.police.diversion.case.withdraw.v1"

    force_id: ForceId
    police_reference: PoliceReference
    reason: WithdrawalReason
    withdrawn_at: Timestamp


def check_measured(report: ProgressReport, amount_pence: int | None, hours: int | None) -> None:
    """A payment comes with its amount and hours done with their number; nothing else carries either."""
    if (report == ProgressReport.PAYMENT_RECEIVED) != (amount_pence is not None):
        raise ValueError("`amount_pence` is required with payment_received, and only then")
    if (report == ProgressReport.HOURS_COMPLETED) != (hours is not None):
        raise ValueError("`hours` is required with hours_completed, and only then")


class ConditionProgress(Command):
    """The officer in the case or the victim-contact role reports a condition's progress: a payment
    (instalments add up), hours done, a letter sent, completion — or that the person did not comply."""

    command_type: ClassVar[str] = "uk.police.diversion.condition.report.v1"

    force_id: ForceId
    police_reference: PoliceReference
    condition_id: UUID
    reported_by: ConditionReporter = Field(
        description="Over HTTP this is the caller's role; an agency reports through its referral, not here."
    )
    report: ProgressReport
    amount_pence: AmountPence | None = Field(default=None, description="For `payment_received`: this payment.")
    hours: Hours | None = Field(default=None, description="For `hours_completed`: the hours done this time.")
    occurred_at: Timestamp

    @model_validator(mode="after")
    def _measured(self) -> ConditionProgress:
        check_measured(self.report, self.amount_pence, self.hours)
        if self.reported_by == ConditionReporter.AGENCY:
            raise ValueError("agencies report through their referral, not as a condition report")
        return self


class BreachDecision(Command):
    """The police decision on a case awaiting one (a breach, or no place available): continue after a
    reasonable excuse (varied conditions and/or a new deadline), prosecute, or no further action."""

    command_type: ClassVar[str] = "uk.police.diversion.breach.decide.v1"

    force_id: ForceId
    police_reference: PoliceReference
    decision: PoliceDecision
    breach_sequence: Sequence = Field(
        description="The case's `sequence` when it came to await this decision (on `case.changed`, or the "
        "case's `breach_sequence`): the decision is about that breach and no later one."
    )
    officer: OfficerId
    decided_at: Timestamp
    reason: ReasonText
    complete_by: Day | None = Field(
        default=None, description="Reasonable excuse only: the new deadline, within the disposal's legal maximum."
    )
    varied_conditions: Annotated[tuple[ImposedCondition, ...], Field(max_length=MAX_CONDITIONS)] = Field(
        default=(), description="Reasonable excuse only: these replace every condition not yet met."
    )
    person_consents_to_variation: Flag | None = Field(
        default=None,
        description="With varied conditions: the person's consent to them, without which they cannot be varied.",
    )

    @model_validator(mode="after")
    def _continuation_only(self) -> BreachDecision:
        check_continuation(self.decision, self.complete_by, self.varied_conditions)
        return self


def check_continuation(decision: PoliceDecision, complete_by, varied_conditions) -> None:
    """Only a reasonable excuse continues a case, so only it may set a new deadline or vary conditions."""
    if decision != PoliceDecision.REASONABLE_EXCUSE and (complete_by or varied_conditions):
        raise ValueError("a new deadline or varied conditions go only with reasonable_excuse")
