"""Reminders to the person before an appointment: planned when it is scheduled, not sent once it is no longer
wanted, by text where there is a phone number, and GOV.UK Notify's statuses read back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from schemas.vocabulary import ReferralStatus, ReminderChannel, ReminderStatus
from services.compliance.domain import reminders

NOW = datetime(2026, 4, 8, 10, tzinfo=UTC)
LEAD = timedelta(hours=24)


def planned(scheduled_for: datetime) -> reminders.Reminder | None:
    return reminders.plan(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), scheduled_for, now=NOW, lead=LEAD)


def test_a_reminder_is_due_its_lead_before_the_appointment_or_at_once_when_that_has_passed() -> None:
    assert planned(NOW + timedelta(days=3)).due_at == NOW + timedelta(days=2)
    assert planned(NOW + timedelta(hours=2)).due_at == NOW
    assert planned(NOW - timedelta(minutes=1)) is None, "no reminder of an appointment already past"


@pytest.mark.parametrize(
    ("status", "missed", "at", "why"),
    [
        (ReferralStatus.IN_PROGRESS, False, NOW, None),
        (ReferralStatus.ACCEPTED, False, NOW, None),
        (ReferralStatus.COMPLETED, False, NOW, "the referral left the agency's hands (completed)"),
        (ReferralStatus.AGENCY_WITHDREW, False, NOW, "the referral left the agency's hands (agency withdrew)"),
        (ReferralStatus.IN_PROGRESS, True, NOW, "the appointment was reported missed"),
        (ReferralStatus.IN_PROGRESS, False, NOW + timedelta(days=4), "the appointment has passed"),
    ],
)
def test_a_reminder_no_longer_wanted_says_why(status, missed, at, why) -> None:
    reminder = planned(NOW + timedelta(days=3))
    missed_ids = frozenset({reminder.appointment_id}) if missed else frozenset()

    assert reminders.not_wanted(reminder, status, missed_ids, now=at) == why


def test_a_text_where_there_is_a_phone_number_else_an_email_else_nothing() -> None:
    assert reminders.channel_for({"phone": "07700900123", "email": "a@example.org"}) == (
        ReminderChannel.SMS,
        "07700900123",
    )
    assert reminders.channel_for({"email": "a@example.org"}) == (ReminderChannel.EMAIL, "a@example.org")
    assert reminders.channel_for({"given_name": "Alex"}) is None


def test_notifys_statuses_come_back_to_the_reminder_and_a_failure_says_why() -> None:
    reminder = planned(NOW + timedelta(days=3))
    reminder.status = ReminderStatus.SENDING

    assert reminders.notified(reminder, "sending") is False
    assert reminders.notified(reminder, "permanent-failure") is True
    assert (reminder.status, reminder.reason) == (
        ReminderStatus.FAILED,
        "GOV.UK Notify could not deliver it (permanent-failure)",
    )
    other = planned(NOW + timedelta(days=3))
    other.status = ReminderStatus.SENDING
    assert reminders.notified(other, "delivered") is True and other.status == ReminderStatus.DELIVERED
    assert reminders.notified(other, "a status Notify adds one day") is True
    assert other.status == ReminderStatus.SENDING, "an unknown status is taken as still in flight"
