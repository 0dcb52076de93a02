"""Commands from police systems: decide a diversion, assess needs, withdraw a case.

They arrive over HTTP or on `diversion.decisions.v1`. Police systems do not know the platform's
`case_id`, so they name a case by their own `police_reference` within their `force_id`. These
models check shape only; whether a decision is allowed (age, gravity, DA screen…) is the force's
policy, applied by intake.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field

from schemas.base import Command
from schemas.fields import (
    AgeAtOffence,
    AmountPence,
    AreaCode,
    AttendanceHours,
    ConditionText,
    ForceId,
    GravityScore,
    OffenceCode,
    PoliceReference,
    RecordCount,
    SubjectRef,
)
from schemas.parts import AssessedNeed, InboundPart
from schemas.personal import SubmittedPersonalDetails
from schemas.vocabulary import (
    ConditionKind,
    DashRiskLevel,
    DisposalType,
    NeedCategory,
    OffenceCategory,
    Sex,
    VictimViews,
    WithdrawalReason,
)

MAX_NEEDS = len(NeedCategory)
MAX_CONDITIONS = 10


class SubmittedNeed(AssessedNeed):
    """An assessed need as submitted: the same shape as in events, unknown fields rejected."""

    model_config = InboundPart.model_config


Needs = Annotated[tuple[SubmittedNeed, ...], Field(max_length=MAX_NEEDS)]


class Offence(InboundPart):
    """The offence and its gravity; the score is adjusted ±1 by the flags, within 1–4."""

    code: OffenceCode
    category: OffenceCategory
    gravity_score: GravityScore
    aggravating: bool = False
    mitigating: bool = False


class CriminalHistory(InboundPart):
    """The part of the person's record that eligibility rules weigh."""

    previous_convictions: RecordCount
    previous_cautions: RecordCount
    domestic_abuse_conviction_or_caution_within_2_years: bool


class DomesticAbuseScreen(InboundPart):
    """Typology and risk screen; present exactly when the offence is domestic-abuse related."""

    intimate_partner: bool
    dash_risk: DashRiskLevel
    coercive_controlling: bool
    victim_contacted_and_agrees: bool


class ImposedCondition(InboundPart):
    """A condition attached to the disposal, with the hours or amount it sets, if any."""

    kind: ConditionKind
    description: ConditionText
    attendance_hours: AttendanceHours | None = None
    amount_pence: AmountPence | None = None
    addresses_need: NeedCategory | None = None


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
    admission: bool
    sufficient_evidence: bool
    consent: bool
    victim_views: VictimViews
    appropriate_adult_present: bool = False
    criminal_history: CriminalHistory
    domestic_abuse: DomesticAbuseScreen | None = None
    decided_at: AwareDatetime
    conditions: Annotated[tuple[ImposedCondition, ...], Field(max_length=MAX_CONDITIONS)] = ()
    needs: Needs | None = Field(default=None, description="The needs assessment, when it was done before the decision.")
    personal: SubmittedPersonalDetails


class NeedsAssessment(Command):
    """The needs found for a person whose case is already open."""

    command_type: ClassVar[str] = "uk.police.diversion.assessment.submit.v1"

    force_id: ForceId
    police_reference: PoliceReference
    assessed_at: AwareDatetime
    needs: Needs


class WithdrawCase(Command):
    """The police withdraw a case they decided on; open referrals are cancelled."""

    command_type: ClassVar[str] = "uk.police.diversion.case.withdraw.v1"

    force_id: ForceId
    police_reference: PoliceReference
    reason: WithdrawalReason
    withdrawn_at: AwareDatetime
