"""The HTTP API's own response and request bodies (requests that are commands use `schemas.commands`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.commands import ImposedCondition
from schemas.commands.police import MAX_CONDITIONS, check_continuation, check_measured
from schemas.events import CaseCondition
from schemas.fields import AmountPence, Day, Flag, Hours, OfficerId, ReasonText, Sequence, Timestamp
from schemas.vocabulary import ExtensionReason, PoliceDecision, ProgressReport
from services.intake.domain.cases import FollowedCondition, FollowedReferral
from services.intake.service_layer.results import CaseChange, CaseView, DecisionResult


class RuleOutcomeBody(BaseModel):
    rule: str
    passed: bool
    reason: str
    source: str | None = Field(
        default=None, description="The Act, statutory instrument, guidance or force policy the rule comes from."
    )


class DecisionResponse(BaseModel):
    """The explained outcome of a decision: every rule of the law and the force's policy, passed or not, why,
    and its source."""

    case_id: UUID
    police_reference: str
    status: str
    eligible: bool
    complete_by: date | None
    youth_offending_team: bool
    policy_version: str
    rule_outcomes: list[RuleOutcomeBody]
    conditions: list[CaseCondition] = Field(description="The conditions, with the ids progress reports name.")
    replayed: bool

    @classmethod
    def of(cls, result: DecisionResult) -> DecisionResponse:
        case = result.case
        return cls(
            case_id=case.case_id,
            police_reference=case.police_reference,
            status=case.status,
            eligible=case.status != "rejected",
            complete_by=case.complete_by,
            youth_offending_team=case.youth_offending_team,
            policy_version=case.policy_version,
            rule_outcomes=case.rule_outcomes,
            conditions=result.conditions,
            replayed=result.replayed,
        )


class CaseChangeResponse(BaseModel):
    """What was recorded. The case's status is compliance's to change: read the case to see the outcome."""

    case_id: UUID
    status: str = Field(description="The case's status as intake knows it now (before compliance applies this).")
    complete_by: date | None
    recorded: str | None = Field(
        default=None, description="The police's decision or report now recorded (null: nothing new to record)."
    )

    @classmethod
    def of(cls, change: CaseChange) -> CaseChangeResponse:
        return cls(
            case_id=change.case_id, status=change.status, complete_by=change.complete_by, recorded=change.recorded
        )


class HistoryItem(BaseModel):
    what: str
    detail: str
    occurred_at: datetime


class ConditionBody(BaseModel):
    """A condition, as the police set it, with its status and progress as compliance reports them."""

    condition: CaseCondition
    status: str
    reason: str | None
    amount_paid_pence: int
    hours_done: int

    @classmethod
    def of(cls, followed: FollowedCondition) -> ConditionBody:
        return cls(
            condition=followed.terms,
            status=followed.status,
            reason=followed.reason,
            amount_paid_pence=followed.amount_paid_pence,
            hours_done=followed.hours_done,
        )


class ReferralBody(BaseModel):
    referral_id: UUID
    agency_id: str | None = Field(description="Null while no agency could take the needs.")
    needs: list[str]
    status: str
    reason: str | None
    updated_at: datetime

    @classmethod
    def of(cls, followed: FollowedReferral) -> ReferralBody:
        return cls(**vars(followed))


class ProgrammeAssessmentBody(BaseModel):
    """What a partner programme's own assessment of the person found (its latest), and which needs the person
    agreed to be referred onward for."""

    referral_id: UUID = Field(description="The referral the assessing agency holds.")
    agency_id: str
    version: int
    assessed_at: datetime
    needs: list[dict] = Field(description="Each need found: category, severity, onward (consented, refused, …).")


class CaseStatusResponse(BaseModel):
    """A case as the police system that decided it may read it: status (open, completed, not completed,
    awaiting police decision, breached, prosecuted, no further action, withdrawn, rejected), deadlines,
    each condition and referral with its status, what partner programmes' own assessments found, and the dated
    history (the agencies' work and safeguarding concerns included)."""

    case_id: UUID
    police_reference: str
    disposal_type: str
    status: str
    reason: str | None = Field(description="Why it is breached, not completed or awaiting the police.")
    next_step: str | None = Field(description="After a breach: prosecution decision or financial penalty.")
    breach_sequence: int = Field(description="Quote it back when deciding on the breach the case awaits.")
    decided_at: datetime
    complete_by: date | None
    deadline_extended: bool
    youth_offending_team: bool
    policy_version: str
    rule_outcomes: list[RuleOutcomeBody]
    needs: list[dict] | None
    conditions: list[ConditionBody]
    referrals: list[ReferralBody]
    programme_assessments: list[ProgrammeAssessmentBody]
    history: list[HistoryItem]

    @classmethod
    def of(cls, view: CaseView) -> CaseStatusResponse:
        case = view.case
        return cls(
            case_id=case.case_id,
            police_reference=case.police_reference,
            disposal_type=case.disposal_type,
            status=case.status,
            reason=case.reason,
            next_step=case.next_step,
            breach_sequence=case.sequence,
            decided_at=case.decided_at,
            complete_by=case.complete_by,
            deadline_extended=case.deadline_extended,
            youth_offending_team=case.youth_offending_team,
            policy_version=case.policy_version,
            rule_outcomes=case.rule_outcomes,
            needs=view.needs,
            conditions=[ConditionBody.of(c) for c in view.conditions],
            referrals=[ReferralBody.of(r) for r in view.referrals],
            programme_assessments=[ProgrammeAssessmentBody(**a) for a in view.programme_assessments],
            history=[HistoryItem(what=h.what, detail=h.detail, occurred_at=h.occurred_at) for h in view.history],
        )


class DeadlineExtensionRequest(BaseModel):
    """A recorded police decision to extend a Conditional Caution to its exceptional limit."""

    model_config = ConfigDict(extra="forbid")

    reason: ExtensionReason


class ConditionProgressRequest(BaseModel):
    """Progress on a condition: a payment (instalments add up), hours done, a letter sent, completion, or
    that the person did not comply. Who reports it is your key's role."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"report": "payment_received", "amount_pence": 2500}]},
    )

    report: ProgressReport
    amount_pence: AmountPence | None = Field(default=None, description="For `payment_received`: this payment.")
    hours: Hours | None = Field(default=None, description="For `hours_completed`: the hours done this time.")
    occurred_at: Timestamp | None = Field(default=None, description="When it happened; now if left out.")

    @model_validator(mode="after")
    def _measured(self) -> ConditionProgressRequest:
        check_measured(self.report, self.amount_pence, self.hours)
        return self


class BreachDecisionRequest(BaseModel):
    """The police decision on a case awaiting one, with the officer and the reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "decision": "reasonable_excuse",
                    "officer": "PC1234",
                    "reason": "In hospital on the days of both appointments.",
                    "complete_by": "2026-07-20",
                }
            ]
        },
    )

    decision: PoliceDecision
    officer: OfficerId
    reason: ReasonText
    breach_sequence: Sequence = Field(description="The case's `breach_sequence`: the breach this decides on.")
    decided_at: Timestamp | None = Field(default=None, description="When it was decided; now if left out.")
    complete_by: Day | None = None
    varied_conditions: Annotated[tuple[ImposedCondition, ...], Field(max_length=MAX_CONDITIONS)] = ()
    person_consents_to_variation: Flag | None = Field(
        default=None, description="With varied conditions: the person's consent, without which they are refused."
    )

    @model_validator(mode="after")
    def _continuation_only(self) -> BreachDecisionRequest:
        check_continuation(self.decision, self.complete_by, self.varied_conditions)
        return self
