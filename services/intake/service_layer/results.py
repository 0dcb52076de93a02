"""What intake's handlers answer, whichever door the command came through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.intake.adapters.case_repository import CaseRecord, HistoryEntry


class IntakeError(Exception):
    """A command intake understood but must refuse; the message is safe to show to the caller."""


class CaseNotFound(IntakeError):
    pass


class CaseNotOpen(IntakeError):
    pass


class WrongForce(IntakeError):
    pass


@dataclass(frozen=True)
class DecisionResult:
    case: CaseRecord
    replayed: bool
    """True when this answers a resubmission: the original result, no new case."""


@dataclass(frozen=True)
class CaseView:
    case: CaseRecord
    needs: list[dict] | None
    history: list[HistoryEntry]


@dataclass(frozen=True)
class CaseChange:
    case_id: UUID
    status: str
    complete_by: date | None
