"""A case as intake keeps it, and what it follows of compliance's decisions about it: the entities the
use cases work on, whatever stores them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from schemas.events import CaseCondition


@dataclass(frozen=True)
class CaseRecord:
    case_id: UUID
    force_id: str
    police_reference: str
    subject_ref: str
    disposal_type: str
    status: str
    policy_version: str
    rule_outcomes: list[dict]
    youth_offending_team: bool
    decided_at: datetime
    complete_by: date | None
    deadline_extended: bool
    received_via: str
    offence_category: str | None = None
    mode_of_trial: str | None = None
    """How the offence may be tried: with the age, what caps a financial penalty in varied conditions."""
    age_at_offence: int | None = None
    reason: str | None = None
    next_step: str | None = None
    sequence: int = 0


@dataclass(frozen=True)
class FollowedCondition:
    terms: CaseCondition
    status: str
    reason: str | None
    amount_paid_pence: int
    hours_done: int


@dataclass(frozen=True)
class FollowedReferral:
    referral_id: UUID
    agency_id: str | None
    needs: list[str]
    status: str
    reason: str | None
    updated_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    what: str
    detail: str
    occurred_at: datetime
