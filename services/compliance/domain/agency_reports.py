"""An agency's update on one of its referrals, checked against reality and applied to the case.

Before the state machine (`referral_progress`) sees an update, it must be believable: it cannot
have happened in the future (beyond a little clock skew) or before the referral was issued, and
an absence counts only from an appointment the agency scheduled. Then the referral's change
carries through to the case: a completed intervention meets the conditions it delivers, a
breached one breaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schemas.calendar import local_date
from schemas.vocabulary import ReferralStatus
from services.compliance.domain.case_file import CaseFile
from services.compliance.domain.entities import Referral
from services.compliance.domain.referral_progress import IllegalTransition, Step, Update, apply


class ImplausibleTime(ValueError):
    """The update's time cannot be right; the message says why."""


@dataclass(frozen=True)
class AgencyReport:
    update: Update
    occurred_at: datetime
    appointment_id: UUID | None = None
    absence_acceptable: bool = True


def report(file: CaseFile, referral: Referral, agency_report: AgencyReport, *, now: datetime) -> Step:
    """Apply the agency's report to `referral`; raises IllegalTransition or ImplausibleTime."""
    check_time(file, referral, agency_report.occurred_at, now)
    kind, appointment = agency_report.update, agency_report.appointment_id
    if kind == Update.MISS and appointment not in referral.scheduled:
        raise IllegalTransition("no appointment with this id was scheduled for this referral; schedule it first")
    if kind == Update.MISS and appointment in referral.missed:
        return Step(referral.progress, applied=False)  # the same absence reported again counts once
    step = apply(referral.progress, kind, file.rules, absence_acceptable=agency_report.absence_acceptable)
    if kind == Update.SCHEDULE:
        file.touch(referral, scheduled=referral.scheduled | {appointment})
    if kind == Update.MISS and step.applied:
        file.touch(referral, missed=referral.missed | {appointment})
    if not step.applied:
        return step
    if step.progress.status == referral.status:
        file.touch(referral, unacceptable_absences=step.progress.unacceptable_absences)
        return step
    reason = step.breach.value if step.breach else None
    file.change_referral(
        referral, step.progress.status, unacceptable_absences=step.progress.unacceptable_absences, reason=reason
    )
    delivered = [c for c in file.in_force if referral.delivers(c)]
    if step.breach is not None:
        file.breach_conditions(delivered, step.breach)
    elif step.progress.status == ReferralStatus.COMPLETED:
        for condition in delivered:
            file.meet(condition, done_on=local_date(agency_report.occurred_at))
    file.settle()
    return step


def check_time(file: CaseFile, referral: Referral, occurred_at: datetime, now: datetime) -> None:
    """ImplausibleTime for a report dated in the future (beyond the clock skew allowed) or before the referral was
    issued: any agency's report, of progress or of its work."""
    skew = file.rules.clock_skew
    if occurred_at > now + skew:
        raise ImplausibleTime("occurred_at is in the future")
    if referral.issued_at is not None and occurred_at < referral.issued_at - skew:
        raise ImplausibleTime("occurred_at is before the referral was issued")
