"""One referral's progress at its agency, as a state machine, and what each agency update does to it.

Updates arrive late, twice, or out of order (an agency may report completion before the
attendance it recorded on paper), so the machine is built to end in the same state whatever
the order:
- an update that moves the referral forward is applied, implying the steps it skips (an
  attendance on an issued referral means it was accepted);
- an update that comes after the referral has moved past it (attended after completed, a
  second acceptance) is *recorded* and changes nothing;
- nothing an agency reports undoes a breach: later updates are recorded, the breach stands for the
  police to weigh (only their decision, after a reasonable excuse, reinstates a referral);
- an update that contradicts the referral's state (declining a completed intervention,
  anything on a referral that is not, or no longer, with the agency) is refused as an illegal
  transition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from schemas.vocabulary import NonComplianceReason, ReferralStatus
from services.compliance.domain.rules import ComplianceRules

Status = ReferralStatus


class Update(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    SCHEDULE = "schedule"
    ATTEND = "attend"
    MISS = "miss"
    COMPLETE = "complete"
    DISENGAGE = "disengage"
    WITHDRAW = "withdraw"


OPEN = frozenset({Status.ISSUED, Status.ACCEPTED, Status.IN_PROGRESS})
NOT_ISSUED = frozenset({Status.UNMATCHED, Status.QUEUED})
LEFT_THE_AGENCY = frozenset({Status.DECLINED, Status.AGENCY_WITHDREW, Status.TIMED_OUT})
"""Ended at the agency through nobody's fault of the person's: the router places the needs again."""
ENDED = frozenset({Status.COMPLETED, Status.BREACHED, Status.DISENGAGED, Status.CANCELLED}) | LEFT_THE_AGENCY
_ENDING = {
    Update.DECLINE: Status.DECLINED,
    Update.WITHDRAW: Status.AGENCY_WITHDREW,
    Update.DISENGAGE: Status.DISENGAGED,
}


class IllegalTransition(ValueError):
    """The update contradicts the referral's state; the message says why, for the agency to read."""


@dataclass(frozen=True)
class Progress:
    status: Status = Status.ISSUED
    unacceptable_absences: int = 0


@dataclass(frozen=True)
class Step:
    progress: Progress
    applied: bool
    """False when the update was only recorded (late, duplicate, or after a breach)."""
    breach: NonComplianceReason | None = None


def apply(progress: Progress, update: Update, rules: ComplianceRules, *, absence_acceptable: bool = True) -> Step:
    """The referral's next state after `update`, or IllegalTransition."""
    status = progress.status
    if status == Status.BREACHED:
        return Step(progress, applied=False)
    if status in NOT_ISSUED:
        raise IllegalTransition("the referral has not been issued to your agency")
    if status in (Status.CANCELLED, Status.TIMED_OUT):
        raise IllegalTransition(f"the referral was {status.value.replace('_', ' ')} and is no longer with your agency")
    if status in LEFT_THE_AGENCY | {Status.DISENGAGED}:
        if _ENDING.get(update) == status:
            return Step(progress, applied=False)
        raise IllegalTransition(f"the referral ended ({status.value}); it is no longer with your agency")
    if status == Status.COMPLETED:
        if update in _ENDING:
            raise IllegalTransition(f"the intervention is already completed; '{update.value}' no longer applies")
        return Step(progress, applied=False)
    return _from_open(progress, update, rules, absence_acceptable)


def _from_open(progress: Progress, update: Update, rules: ComplianceRules, absence_acceptable: bool) -> Step:
    status = progress.status
    if update == Update.ACCEPT:
        if status == Status.ISSUED:
            return Step(replace(progress, status=Status.ACCEPTED), applied=True)
        return Step(progress, applied=False)
    if update == Update.DECLINE:
        if status == Status.IN_PROGRESS:
            raise IllegalTransition("work with the person has started: report a withdrawal or disengagement instead")
        return Step(replace(progress, status=Status.DECLINED), applied=True)
    if update in (Update.SCHEDULE, Update.ATTEND) or (update == Update.MISS and absence_acceptable):
        return Step(replace(progress, status=Status.IN_PROGRESS), applied=True)
    if update == Update.MISS:
        absences = progress.unacceptable_absences + 1
        if absences >= rules.max_unacceptable_absences:
            return Step(
                Progress(Status.BREACHED, absences), applied=True, breach=NonComplianceReason.MISSED_APPOINTMENT
            )
        return Step(Progress(Status.IN_PROGRESS, absences), applied=True)
    if update == Update.COMPLETE:
        return Step(replace(progress, status=Status.COMPLETED), applied=True)
    if update == Update.DISENGAGE and rules.disengagement_is_breach:
        return Step(replace(progress, status=Status.BREACHED), applied=True, breach=NonComplianceReason.DISENGAGED)
    return Step(replace(progress, status=_ENDING[update]), applied=True)
