"""What the police do to a case after opening it, applied by the case's owner.

Intake is the police's door and records each of these as their decision; whether it changes the
case is decided here, against the case as compliance knows it. A withdrawal of a case that has
already concluded, a decision on a breach the case has moved past, or progress on a condition that
is no longer open changes nothing (and says so, with False).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from schemas.calendar import local_date
from schemas.vocabulary import (
    BreachNextStep,
    CancellationReason,
    CaseStatus,
    ConditionStatus,
    NonComplianceReason,
    PoliceDecision,
    ProgressReport,
    ReferralStatus,
)
from services.compliance.domain.case_file import CaseFile
from services.compliance.domain.entities import AWAITING_POLICE, Condition


@dataclass(frozen=True)
class ProgressReported:
    report: ProgressReport
    occurred_at: datetime
    amount_pence: int | None = None
    hours: int | None = None


@dataclass(frozen=True)
class Decision:
    decision: PoliceDecision
    breach_sequence: int
    """The case's `sequence` when it came to await this decision: a decision is about that breach."""
    complete_by: date | None = None
    varied_conditions: Sequence[Condition] = ()


def report_progress(file: CaseFile, condition: Condition, progress: ProgressReported) -> bool:
    """Progress on a condition the officer or victim-contact role reports; instalments add up."""
    if condition.status != ConditionStatus.OPEN or condition.delivered_by_agency:
        return False
    done_on = local_date(progress.occurred_at)
    if progress.report == ProgressReport.NOT_COMPLIED:
        file.breach_conditions([condition], NonComplianceReason.CONDITION_NOT_MET)
    elif progress.report == ProgressReport.PAYMENT_RECEIVED:
        _accumulate(file, condition, "amount_paid_pence", progress.amount_pence, condition.amount_pence, done_on)
    elif progress.report == ProgressReport.HOURS_COMPLETED:
        _accumulate(file, condition, "hours_done", progress.hours, condition.hours, done_on)
    else:
        file.meet(condition, done_on=done_on)
    file.settle()
    return True


def _accumulate(file: CaseFile, condition: Condition, field: str, amount: int, target: int | None, done_on) -> None:
    total = getattr(condition, field) + amount
    if target is not None and total >= target:
        file.meet(condition, done_on=done_on, **{field: total})
    else:
        file.change_condition(condition, ConditionStatus.OPEN, **{field: total})


def withdraw(file: CaseFile) -> bool:
    """The police withdrew the case: it ends, unless it already has."""
    if not file.tracking:
        return False
    file.conclude(CaseStatus.WITHDRAWN, CancellationReason.CASE_WITHDRAWN)
    return True


def extend_deadline(file: CaseFile, complete_by: date) -> bool:
    if file.case.status != CaseStatus.OPEN:
        return False
    file.touch(file.case, complete_by=complete_by)
    return True


def decide(file: CaseFile, decision: Decision) -> bool:
    """Apply the police's decision on the breach (or no-place flag) the case awaits."""
    case = file.case
    if case.status not in AWAITING_POLICE or decision.breach_sequence != case.sequence:
        return False
    if decision.decision == PoliceDecision.PROSECUTE:
        if case.next_step != BreachNextStep.PROSECUTION_DECISION:
            return False
        file.conclude(CaseStatus.PROSECUTED, CancellationReason.CASE_CLOSED, police_decision=decision.decision)
    elif decision.decision == PoliceDecision.NO_FURTHER_ACTION:
        file.conclude(CaseStatus.NO_FURTHER_ACTION, CancellationReason.CASE_CLOSED, police_decision=decision.decision)
    else:
        _continue(file, decision)
    return True


def _continue(file: CaseFile, decision: Decision) -> None:
    """A reasonable excuse: the case is tracked again, its unmet conditions varied or reinstated and the
    referrals that deliver them taken up again where they were breached."""
    if decision.varied_conditions:
        for condition in file.in_force:
            if condition.status != ConditionStatus.MET:
                file.change_condition(condition, ConditionStatus.VARIED)
        for condition in decision.varied_conditions:
            file.add_condition(condition)
    else:
        for condition in file.in_force:
            if condition.status == ConditionStatus.BREACHED:
                file.change_condition(condition, ConditionStatus.OPEN, reason=None)
    for referral in file.referrals:
        if referral.status == ReferralStatus.BREACHED and file.required(referral):
            file.change_referral(
                referral, ReferralStatus.IN_PROGRESS, reason=decision.decision.value, unacceptable_absences=0
            )
    file.change_case(
        CaseStatus.OPEN,
        reason=None,
        next_step=None,
        police_decision=decision.decision,
        complete_by=decision.complete_by or file.case.complete_by,
    )
    file.settle()
