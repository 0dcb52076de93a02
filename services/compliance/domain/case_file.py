"""A case with its conditions and referrals, and every change compliance may make to them.

Each method applies one fact — a placement from the router, an agency's update, a police report or
decision, the passing of a deadline — to the case in memory, then settles the case (completed,
breached, not completed). Nothing here does I/O: the service layer loads a `CaseFile`, calls one
method, then stores the entities it changed and publishes `changes`, in order.

What ends a case:
- **completed** when every condition in force is met and no referral is still in play (open, or
  waiting for a place) — a case with waiting work is not complete; an onward referral (support a partner
  agency arranged, with the person's consent) is never waited for;
- **breached** when a condition is (through its referral's breach, a report that the person did
  not comply, or its deadline); for a Community Resolution, whose referrals are what the person
  agreed to, a referral's breach is enough. A caution then awaits the police's decision (or, for a
  Community Caution, the financial penalty path); a Community Resolution is *not completed*;
- at the deadline (end of its day in England and Wales), with nothing breached but a required
  referral that never started because no agency could take it, the case awaits the police's
  decision as *unable to comply — no place available*: never a breach by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from schemas.vocabulary import (
    BreachNextStep,
    CancellationReason,
    CaseStatus,
    ConditionStatus,
    Evidence,
    NonComplianceReason,
    ReferralStatus,
)
from services.compliance.domain.entities import (
    CONCLUDED,
    IN_FORCE,
    Case,
    Condition,
    Referral,
    snapshot,
)
from services.compliance.domain.referral_progress import NOT_ISSUED, OPEN
from services.compliance.domain.rules import BreachPath, ComplianceRules

_BREACH_STATUS = {
    BreachPath.NON_COMPLETION: (CaseStatus.NOT_COMPLETED, None),
    BreachPath.PROSECUTION_DECISION: (CaseStatus.AWAITING_POLICE_DECISION, BreachNextStep.PROSECUTION_DECISION),
    BreachPath.FINANCIAL_PENALTY: (CaseStatus.BREACHED, BreachNextStep.FINANCIAL_PENALTY),
}


@dataclass(frozen=True)
class Change:
    """One transition of one entity: the entity as it became, and the status it left."""

    entity: Case | Condition | Referral
    previous: object


@dataclass
class CaseFile:
    case: Case
    conditions: list[Condition]
    referrals: list[Referral]
    rules: ComplianceRules
    changes: list[Change] = field(default_factory=list)
    added: set[UUID] = field(default_factory=set)
    """Ids of entities created here (to be inserted rather than updated)."""
    touched: set[UUID] = field(default_factory=set)
    """Ids of entities changed here, published or not (a deadline moved, an appointment noted)."""

    # -- what it holds ------------------------------------------------------------------------

    def referral(self, referral_id: UUID) -> Referral | None:
        return next((r for r in self.referrals if r.referral_id == referral_id), None)

    def condition(self, condition_id: UUID) -> Condition | None:
        return next((c for c in self.conditions if c.condition_id == condition_id), None)

    @property
    def in_force(self) -> list[Condition]:
        return [c for c in self.conditions if c.status in IN_FORCE]

    @property
    def tracking(self) -> bool:
        """Still tracked: open, or paused for the police (work goes on meanwhile)."""
        return self.case.status not in CONCLUDED

    def required(self, referral: Referral) -> bool:
        """Must this referral's work be done for the case to be complied with? (An onward referral never.)"""
        if referral.onward_from is not None:
            return False
        if self.rules.disposals[self.case.disposal_type].every_referral_required:
            return True
        return any(referral.delivers(c) for c in self.in_force)

    # -- changing it --------------------------------------------------------------------------

    def change_case(self, status: CaseStatus, **fields) -> None:
        self._record(self.case, "status", status, **fields)

    def change_condition(self, condition: Condition, status: ConditionStatus, **fields) -> None:
        self._record(condition, "status", status, **fields)

    def change_referral(self, referral: Referral, status: ReferralStatus, **fields) -> None:
        self._record(referral, "status", status, **fields)

    def add_referral(self, referral: Referral) -> None:
        """A referral the router placed: its first change is where it was placed."""
        status = referral.status
        referral.status, referral.sequence = None, 0
        self.referrals.append(referral)
        self.added.add(referral.referral_id)
        self.change_referral(referral, status)

    def add_condition(self, condition: Condition) -> None:
        self.conditions.append(condition)
        self.added.add(condition.condition_id)
        self._record(condition, "status", ConditionStatus.OPEN)

    def stored(self) -> None:
        """Its changes so far are stored and published: the next fact's are tracked from here (a batch applies
        several facts of one case to the same file)."""
        self.changes.clear()
        self.added.clear()
        self.touched.clear()

    def touch(self, entity: Case | Condition | Referral, **fields) -> None:
        """Change what followers do not track (no event): a moved deadline, a noted appointment."""
        for name, new in fields.items():
            setattr(entity, name, new)
        self.touched.add(_id(entity))

    def _record(self, entity, attribute: str, value, **fields) -> None:
        previous = getattr(entity, attribute)
        self.touch(entity, **{attribute: value, **fields})
        entity.sequence += 1
        self.changes.append(Change(snapshot(entity), previous))

    # -- settling the case --------------------------------------------------------------------

    def settle(self) -> None:
        """After any change: breach or complete an open case if it now is."""
        if self.case.status != CaseStatus.OPEN:
            return
        breached = [c for c in self.in_force if c.status == ConditionStatus.BREACHED]
        if breached:
            return self.breach(breached[0].reason or NonComplianceReason.CONDITION_NOT_MET)
        failed = [r for r in self.referrals if r.status == ReferralStatus.BREACHED and self.required(r)]
        if failed:
            return self.breach(NonComplianceReason(failed[0].reason or NonComplianceReason.MISSED_APPOINTMENT))
        something_to_do = bool(self.in_force) or bool(self.referrals)
        all_met = all(c.status == ConditionStatus.MET for c in self.in_force)
        if something_to_do and all_met and not any(r.holds_up_the_case for r in self.referrals):
            self.conclude(CaseStatus.COMPLETED, CancellationReason.CASE_CLOSED)

    def breach(self, reason: NonComplianceReason) -> None:
        status, next_step = _BREACH_STATUS[self.rules.disposals[self.case.disposal_type].on_breach]
        if status in CONCLUDED:
            self.conclude(status, CancellationReason.CASE_CLOSED, reason=reason)
        else:
            self.change_case(status, reason=reason, next_step=next_step)

    def conclude(self, status: CaseStatus, cancellation: CancellationReason, **fields) -> None:
        """End the case: what is still open or waiting is cancelled, conditions not met are dropped."""
        self.change_case(status, **fields)
        for referral in self.referrals:
            if referral.status in OPEN | NOT_ISSUED:
                self.change_referral(referral, ReferralStatus.CANCELLED, reason=cancellation.value)
        for condition in self.conditions:
            if condition.status == ConditionStatus.OPEN:
                self.change_condition(condition, ConditionStatus.CANCELLED)

    def breach_conditions(self, conditions: Iterable[Condition], reason: NonComplianceReason) -> None:
        for condition in conditions:
            if condition.status == ConditionStatus.OPEN:
                self.change_condition(condition, ConditionStatus.BREACHED, reason=reason)

    def meet(self, condition: Condition, *, done_on: date | None = None, **progress) -> None:
        """The condition is met — unless what met it was done after its deadline (`done_on`, local date)."""
        if condition.status != ConditionStatus.OPEN:
            return
        if done_on is not None and done_on > condition.complete_by(self.case):
            self.change_condition(
                condition, ConditionStatus.BREACHED, reason=NonComplianceReason.DEADLINE_PASSED, **progress
            )
        else:
            self.change_condition(condition, ConditionStatus.MET, **progress)

    # -- time passing -------------------------------------------------------------------------

    def deadlines_passed(self, today: date) -> None:
        """Judge what `today` (a date in England and Wales) leaves behind: conditions whose own deadline
        has passed and, once the case's has, the case itself."""
        if self.case.status != CaseStatus.OPEN:
            return
        case_over = today > self.case.complete_by
        blocked = False
        for condition in self.conditions:
            if condition.status != ConditionStatus.OPEN or today <= condition.complete_by(self.case):
                continue
            if condition.evidence == Evidence.NO_VIOLATION:
                self.meet(condition)
            elif self._never_started(condition):
                blocked = blocked or case_over
            else:
                self.breach_conditions([condition], NonComplianceReason.DEADLINE_PASSED)
        self.settle()
        if not case_over or self.case.status != CaseStatus.OPEN:
            return
        required = [r for r in self.referrals if r.in_play and self.required(r)]
        if any(not r.waiting for r in required):
            return self.breach(NonComplianceReason.DEADLINE_PASSED)
        if blocked or required:
            return self.change_case(
                CaseStatus.AWAITING_POLICE_DECISION, reason=NonComplianceReason.NO_PLACE_AVAILABLE, next_step=None
            )
        self.conclude(CaseStatus.COMPLETED, CancellationReason.CASE_CLOSED)

    def _never_started(self, condition: Condition) -> bool:
        """An agency's condition whose delivery never began because no agency could take the person on."""
        if not condition.delivered_by_agency:
            return False
        delivering = [r for r in self.referrals if r.in_play and r.delivers(condition)]
        return all(r.waiting for r in delivering)

    def time_out(self, referral: Referral, now: datetime) -> None:
        """The agency neither accepted nor declined within its service level."""
        if referral.status == ReferralStatus.ISSUED and referral.respond_by and referral.respond_by < now:
            self.change_referral(referral, ReferralStatus.TIMED_OUT, reason="no_response")
            self.settle()


def _id(entity: Case | Condition | Referral) -> UUID:
    return getattr(entity, "referral_id", None) or getattr(entity, "condition_id", None) or entity.case_id
