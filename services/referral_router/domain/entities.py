"""What the router knows of a case it places needs for: the person (to match), its status, its conditions
and the referrals it placed. After placement, statuses are compliance's, followed from its events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from schemas.events import CaseCondition
from schemas.parts import OfficerContact
from schemas.vocabulary import CaseStatus, DeliveryMode, ReferralStatus, RiskLevel, SafeguardingFlag
from services.referral_router.domain.suitability import Need, Person


@dataclass(frozen=True)
class Safety:
    """What anyone working with the person must know to work safely, as the police recorded it: told to each agency
    only as far as its catalogue entry allows."""

    risk_of_harm: RiskLevel | None = None
    safeguarding_flags: tuple[SafeguardingFlag, ...] = ()
    officer: OfficerContact | None = None


@dataclass(frozen=True)
class RoutedCase:
    case_id: UUID
    person: Person
    status: CaseStatus
    complete_by: date | None = None
    sequence: int = 0
    safety: Safety = Safety()


@dataclass(frozen=True)
class Referral:
    referral_id: UUID
    case_id: UUID
    agency_id: str | None
    needs: tuple[Need, ...]
    delivery_mode: DeliveryMode
    status: ReferralStatus
    explanation: str
    candidates: list[dict]
    issued_at: datetime | None = None
    respond_by: datetime | None = None
    replaces: tuple[UUID, ...] = ()
    sequence: int = 0
    onward_from: UUID | None = None
    """An onward referral: the referral whose agency found its needs (see `ProgrammeNeedsFound`)."""


@dataclass(frozen=True)
class TrackedCondition:
    """A condition as the router knows it: its terms from the police, its status from compliance."""

    condition_id: UUID
    terms: CaseCondition | None
    status: str = "open"
    sequence: int = 0

    @property
    def in_force(self) -> bool:
        return self.status not in ("varied", "cancelled")
