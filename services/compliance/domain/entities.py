"""What compliance tracks about a case: the case, its conditions and its referrals, as plain objects.

Compliance is the one owner of all three lifecycles. Each entity counts its changes in `sequence`;
every change is published with that count, so the services that follow (intake, the router) apply
a change only when it is newer than what they hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from uuid import UUID

from schemas.vocabulary import (
    BreachNextStep,
    CaseStatus,
    ConditionKind,
    ConditionReporter,
    ConditionStatus,
    DisposalType,
    Evidence,
    NeedCategory,
    NonComplianceReason,
    PoliceDecision,
    ReferralStatus,
)
from services.compliance.domain.referral_progress import ENDED, LEFT_THE_AGENCY, NOT_ISSUED, OPEN, Progress

CONCLUDED = frozenset(
    {
        CaseStatus.COMPLETED,
        CaseStatus.NOT_COMPLETED,
        CaseStatus.PROSECUTED,
        CaseStatus.NO_FURTHER_ACTION,
        CaseStatus.WITHDRAWN,
    }
)
"""Final: nothing changes the case again."""
AWAITING_POLICE = frozenset({CaseStatus.AWAITING_POLICE_DECISION, CaseStatus.BREACHED})
"""Paused until the police decide; agencies' work goes on meanwhile."""
IN_FORCE = frozenset({ConditionStatus.OPEN, ConditionStatus.MET, ConditionStatus.BREACHED})


@dataclass
class Case:
    case_id: UUID
    subject_ref: str
    force_id: str
    police_reference: str
    disposal_type: DisposalType
    offence_category: str
    domestic_abuse: bool
    decided_at: datetime
    complete_by: date
    age_at_offence: int | None = None
    """For the reports that split adults from youths (a case opened before it was recorded: None)."""
    victim: bool = False
    """An identifiable victim, whose contact role is told each change to the case's outcome (Victims' Code)."""
    status: CaseStatus = CaseStatus.OPEN
    reason: NonComplianceReason | None = None
    next_step: BreachNextStep | None = None
    police_decision: PoliceDecision | None = None
    sequence: int = 0


@dataclass
class Condition:
    condition_id: UUID
    kind: ConditionKind
    description: str
    evidence: Evidence
    reported_by: ConditionReporter
    addresses_need: NeedCategory | None
    hours: int | None
    amount_pence: int | None
    own_complete_by: date | None
    """Its own deadline; None: the case's (so it moves when the case's does)."""
    status: ConditionStatus = ConditionStatus.OPEN
    reason: NonComplianceReason | None = None
    amount_paid_pence: int = 0
    hours_done: int = 0
    sequence: int = 0

    def complete_by(self, case: Case) -> date:
        return self.own_complete_by or case.complete_by

    @property
    def delivered_by_agency(self) -> bool:
        return self.reported_by == ConditionReporter.AGENCY


@dataclass
class Referral:
    referral_id: UUID
    agency_id: str | None
    needs: tuple[NeedCategory, ...]
    status: ReferralStatus
    issued_at: datetime | None = None
    respond_by: datetime | None = None
    replaces: tuple[UUID, ...] = ()
    unacceptable_absences: int = 0
    reason: str | None = None
    superseded: bool = False
    """It left its agency and the router has answered: a new referral replaces it, or nothing needs to."""
    scheduled: frozenset[UUID] = field(default_factory=frozenset)
    """Appointments the agency scheduled; an absence counts only from one of these."""
    missed: frozenset[UUID] = field(default_factory=frozenset)
    """Appointments already reported missed: the same absence reported twice counts once."""
    sequence: int = 0
    onward_from: UUID | None = None
    """An onward referral: the referral whose agency found its needs. Support the person agreed to, never a
    condition: it is not required for the case, and does not hold up its completion."""

    @property
    def progress(self) -> Progress:
        return Progress(self.status, self.unacceptable_absences)

    @property
    def in_play(self) -> bool:
        """Work still to come from it: open, waiting for a place, or waiting to be placed again."""
        return self.status in OPEN | NOT_ISSUED or (self.status in LEFT_THE_AGENCY and not self.superseded)

    @property
    def waiting(self) -> bool:
        """In play but never started: no agency has taken the person on (not the person's doing)."""
        return self.in_play and self.status not in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def holds_up_the_case(self) -> bool:
        """Work still to come that the case waits for (an onward referral's never is)."""
        return self.in_play and self.onward_from is None

    def delivers(self, condition: Condition) -> bool:
        return condition.delivered_by_agency and condition.addresses_need in self.needs


def snapshot(entity: Case | Condition | Referral) -> Case | Condition | Referral:
    """A copy that later changes to `entity` do not touch (what a published change carries)."""
    return replace(entity)
