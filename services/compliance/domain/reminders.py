"""Reminders to the person before each appointment, by text message or email, through GOV.UK Notify: two
unacceptable absences make a breach, so a forgotten appointment should not be one of them.

A reminder is planned when the agency schedules an appointment (due `lead` before it, or at once if that is past),
and sent by the sweep when due — if the referral is still in the agency's hands and the appointment was not reported
missed meanwhile. The person's phone number (or else email) is opened only then, from the details the agency was
given. Notify's statuses come back to the reminder, so an agency sees one that failed. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from schemas.vocabulary import ReferralStatus, ReminderChannel, ReminderStatus
from services.compliance.domain.referral_progress import OPEN

NOTIFY_STATUSES: dict[str, ReminderStatus] = {
    "created": ReminderStatus.SENDING,
    "sending": ReminderStatus.SENDING,
    "pending": ReminderStatus.SENDING,
    "sent": ReminderStatus.DELIVERED,
    "delivered": ReminderStatus.DELIVERED,
    "permanent-failure": ReminderStatus.FAILED,
    "temporary-failure": ReminderStatus.FAILED,
    "technical-failure": ReminderStatus.FAILED,
}
"""GOV.UK Notify's notification statuses (`sent`: delivered to an international number, as far as Notify knows)."""


@dataclass
class Reminder:
    reminder_id: UUID
    """Also the `reference` Notify keeps with the message."""
    case_id: UUID
    referral_id: UUID
    appointment_id: UUID
    scheduled_for: datetime
    due_at: datetime
    status: ReminderStatus = ReminderStatus.PENDING
    channel: ReminderChannel | None = None
    notification_id: str | None = None
    reason: str | None = None
    """Why it failed or was not sent, in words for the agency."""


def plan(
    reminder_id: UUID,
    case_id: UUID,
    referral_id: UUID,
    appointment_id: UUID,
    scheduled_for: datetime,
    *,
    now: datetime,
    lead: timedelta,
) -> Reminder | None:
    """The reminder for an appointment just scheduled: None for one already past."""
    if scheduled_for <= now:
        return None
    return Reminder(reminder_id, case_id, referral_id, appointment_id, scheduled_for, max(scheduled_for - lead, now))


def not_wanted(reminder: Reminder, status: ReferralStatus, missed: frozenset[UUID], *, now: datetime) -> str | None:
    """Why the reminder must not go now (the referral with `status` left the agency, the appointment is among those
    `missed` or is past), or None when it should."""
    if status not in OPEN:
        return f"the referral left the agency's hands ({status.value.replace('_', ' ')})"
    if reminder.appointment_id in missed:
        return "the appointment was reported missed"
    if reminder.scheduled_for <= now:
        return "the appointment has passed"
    return None


def channel_for(contact: dict[str, str]) -> tuple[ReminderChannel, str] | None:
    """A text message where the agency has the person's phone number, else an email; None if it has neither."""
    if contact.get("phone"):
        return ReminderChannel.SMS, contact["phone"]
    if contact.get("email"):
        return ReminderChannel.EMAIL, contact["email"]
    return None


def notified(reminder: Reminder, notify_status: str) -> bool:
    """Apply a status Notify reports; True when the reminder's own status changed."""
    status = NOTIFY_STATUSES.get(notify_status, ReminderStatus.SENDING)
    if status == reminder.status:
        return False
    reminder.status = status
    if status == ReminderStatus.FAILED:
        reminder.reason = f"GOV.UK Notify could not deliver it ({notify_status})"
    return True
