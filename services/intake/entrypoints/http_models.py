"""The HTTP API's own response and request bodies (requests that are commands use `schemas.commands`)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from schemas.vocabulary import ExtensionReason
from services.intake.service_layer.results import CaseChange, CaseView, DecisionResult


class RuleOutcomeBody(BaseModel):
    rule: str
    passed: bool
    reason: str


class DecisionResponse(BaseModel):
    """The explained outcome of a decision: every policy rule with pass/fail and why."""

    case_id: UUID
    police_reference: str
    status: str
    eligible: bool
    complete_by: date | None
    youth_offending_team: bool
    policy_version: str
    rule_outcomes: list[RuleOutcomeBody]
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
            replayed=result.replayed,
        )


class CaseChangeResponse(BaseModel):
    case_id: UUID
    status: str
    complete_by: date | None

    @classmethod
    def of(cls, change: CaseChange) -> CaseChangeResponse:
        return cls(case_id=change.case_id, status=change.status, complete_by=change.complete_by)


class HistoryItem(BaseModel):
    what: str
    detail: str
    occurred_at: datetime


class CaseStatusResponse(BaseModel):
    """A case as the police system that decided it may read it: status, deadlines, history."""

    case_id: UUID
    police_reference: str
    disposal_type: str
    status: str
    decided_at: datetime
    complete_by: date | None
    deadline_extended: bool
    youth_offending_team: bool
    policy_version: str
    rule_outcomes: list[RuleOutcomeBody]
    needs: list[dict] | None
    history: list[HistoryItem]

    @classmethod
    def of(cls, view: CaseView) -> CaseStatusResponse:
        case = view.case
        return cls(
            case_id=case.case_id,
            police_reference=case.police_reference,
            disposal_type=case.disposal_type,
            status=case.status,
            decided_at=case.decided_at,
            complete_by=case.complete_by,
            deadline_extended=case.deadline_extended,
            youth_offending_team=case.youth_offending_team,
            policy_version=case.policy_version,
            rule_outcomes=case.rule_outcomes,
            needs=view.needs,
            history=[HistoryItem(what=h.what, detail=h.detail, occurred_at=h.occurred_at) for h in view.history],
        )


class DeadlineExtensionRequest(BaseModel):
    """A recorded police decision to extend a Conditional Caution to its exceptional limit."""

    model_config = ConfigDict(extra="forbid")

    reason: ExtensionReason
