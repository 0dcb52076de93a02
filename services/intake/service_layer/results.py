"""What intake's handlers answer, whichever door the command came through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from schemas.events import CaseCondition
from services.intake.domain.cases import CaseRecord, FollowedCondition, FollowedReferral, HistoryEntry


class IntakeError(Exception):
    """A command intake understood but must refuse; the message is safe to show to the caller."""


class CaseNotFound(IntakeError):
    pass


class CaseNotOpen(IntakeError):
    """The command makes no sense for the case's status; the message names it."""


class WrongForce(IntakeError):
    pass


class NotYourRole(IntakeError):
    """The caller's role may not do this (the victim-contact role reports reparation and compensation only)."""


class ConditionRefused(IntakeError):
    """The report does not fit the condition (its evidence, its reporter, its status)."""


class PolicyRefused(IntakeError):
    """What the police asked for breaks the force's policy; the message names each rule."""


@dataclass(frozen=True)
class DecisionResult:
    case: CaseRecord
    replayed: bool
    """True when this answers a resubmission: the original result, no new case."""
    conditions: list[CaseCondition] = field(default_factory=list)
    """The conditions with the ids later reports name."""


@dataclass(frozen=True)
class CaseView:
    case: CaseRecord
    needs: list[dict] | None
    conditions: list[FollowedCondition]
    referrals: list[FollowedReferral]
    history: list[HistoryEntry]
    programme_assessments: list[dict]


@dataclass(frozen=True)
class CaseChange:
    case_id: UUID
    status: str
    complete_by: date | None
    recorded: str | None = None
    """The police's decision or report now recorded and passed to compliance, which decides what it changes."""
