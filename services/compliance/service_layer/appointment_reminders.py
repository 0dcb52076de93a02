"""Sending the person's appointment reminders through GOV.UK Notify, and following what became of each.

A sweep takes the reminders due (locked against other replicas' sweeps) and, in that transaction, decides each:
not wanted any more (the referral left the agency, the appointment was missed or has passed), no phone number or
email to use — both recorded as not sent, with the reason — or to go, marked as sending, the contact detail opened
only now. Notify is called after that commit, outside any transaction, and what it answers is recorded in another:
its notification id, or why it refused. A reminder whose sending was cut short (no id recorded) is looked up in
Notify by its reference before it is ever sent again, so a crash never sends it twice. A later sweep reads the
status of each message in flight until it is delivered or failed; a failed one the agency sees on the referral,
and on its topic, as a `reminder_failed` step.

Only the phone number (or email), the appointment's time and the agency's id go to Notify; opening the contact
detail for it is a disclosure in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from platform_plumbing.audit_trail import Action, Purpose
from schemas.calendar import FORCE_TIME_ZONE
from schemas.vocabulary import ReminderChannel, ReminderStatus, WorkStep
from services.compliance.adapters.notify import Notify, NotifyRefused, NotifyUnavailable
from services.compliance.domain import reminders
from services.compliance.domain.reminders import Reminder
from services.compliance.service_layer import agency_work
from services.compliance.service_layer.personal_data import opened_for_agency
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork

NOTIFY = "GOV.UK Notify"
NOT_CONFIGURED = "no GOV.UK Notify key is configured: reminders are not sent"
LOOK_AGAIN = timedelta(seconds=30)
"""How long a message in flight is left before Notify is asked about it again."""
CUT_SHORT = timedelta(minutes=5)
"""How long a reminder marked as sending, with no notification id, is left before it is looked up (and resent)."""


@dataclass(frozen=True)
class Outgoing:
    reminder: Reminder
    channel: ReminderChannel
    to: str
    personalisation: dict[str, str]


async def send_due(pool: asyncpg.Pool, context: ComplianceContext, notify: Notify | None, *, limit: int = 50) -> int:
    """Send the reminders due now; how many were decided (sent, or not sent with a reason)."""
    async with pool.acquire() as connection, connection.transaction(), UnitOfWork(connection, context) as uow:
        due = await uow.work.due_reminders(uow.now(), limit=limit)
        outgoing = [going for reminder in due if (going := await _decide(reminder, notify, uow)) is not None]
        await uow.work.save_reminders(due, now=uow.now())
    for going in outgoing:
        await _send(pool, context, notify, going)
    return len(due)


async def _decide(reminder: Reminder, notify: Notify | None, uow: UnitOfWork) -> Outgoing | None:
    """Mark the reminder not sent (with why), or sending and return what to send."""
    standing = await uow.work.referral_standing(reminder.referral_id)
    why = reminders.not_wanted(reminder, standing.status, standing.missed, now=uow.now()) if standing else "no referral"
    if why is None and notify is None:
        why = NOT_CONFIGURED
    contact = None
    if why is None:
        opened = await opened_for_agency(reminder.case_id, await uow.work.sealed_contact(reminder.referral_id), uow)
        contact = reminders.channel_for(opened or {})
        why = None if contact is not None else "the agency has no phone number or email for the person"
    if why is not None:
        reminder.status, reminder.reason = ReminderStatus.NOT_SENT, why
        return None
    channel, to = contact
    reminder.status, reminder.channel = ReminderStatus.SENDING, channel
    uow.audit(
        actor="compliance reminders",
        action=Action.DISCLOSURE,
        purpose=Purpose.APPOINTMENT_REMINDER,
        case_id=reminder.case_id,
        referral_id=reminder.referral_id,
        recipient=NOTIFY,
        fields=("phone",) if channel == ReminderChannel.SMS else ("email",),
        detail="appointment reminder",
    )
    when = reminder.scheduled_for.astimezone(FORCE_TIME_ZONE)
    personalisation = {"appointment": when.strftime("%A %-d %B at %H:%M"), "agency": standing.agency_id}
    return Outgoing(reminder, channel, to, personalisation)


async def _send(pool: asyncpg.Pool, context: ComplianceContext, notify: Notify, going: Outgoing) -> None:
    reminder = going.reminder
    try:
        reminder.notification_id = await notify.send(
            going.channel, going.to, going.personalisation, reference=str(reminder.reminder_id)
        )
        step = WorkStep.REMINDER_SENT
    except NotifyRefused as refused:
        reminder.status, reminder.reason = ReminderStatus.FAILED, str(refused)
        step = WorkStep.REMINDER_FAILED
    except NotifyUnavailable:
        return  # left as sending with no id: looked up, then sent again, by a later sweep
    await _recorded(pool, context, reminder, step)


async def follow_in_flight(
    pool: asyncpg.Pool, context: ComplianceContext, notify: Notify | None, *, limit: int = 50
) -> int:
    """Ask Notify what became of the messages in flight; how many were looked at."""
    if notify is None:
        return 0
    async with pool.acquire() as connection, connection.transaction():
        now = context.clock.now()
        in_flight = await UnitOfWork(connection, context).work.reminders_in_flight(now - LOOK_AGAIN, limit=limit)
    for reminder in in_flight:
        try:
            step = await _look_up(reminder, notify, now)
        except NotifyUnavailable:
            continue
        except NotifyRefused as refused:
            reminder.status, reminder.reason = ReminderStatus.FAILED, str(refused)
            step = WorkStep.REMINDER_FAILED
        await _recorded(pool, context, reminder, step)
    return len(in_flight)


async def _look_up(reminder: Reminder, notify: Notify, now: datetime) -> WorkStep | None:
    """What Notify says of a message in flight: the step to record if its status changed."""
    if reminder.notification_id is not None:
        changed = reminders.notified(reminder, await notify.status(reminder.notification_id))
        return _STEPS.get(reminder.status) if changed else None
    if now - reminder.due_at < CUT_SHORT:
        return None
    reminder.notification_id = await notify.sent_with(str(reminder.reminder_id))
    if reminder.notification_id is None:
        reminder.status = ReminderStatus.PENDING  # Notify never had it: the next sweep sends it
        return None
    return WorkStep.REMINDER_SENT


async def _recorded(pool: asyncpg.Pool, context: ComplianceContext, reminder: Reminder, step: WorkStep | None) -> None:
    """Store the reminder as it now is and record `step` (sent, delivered, failed: what the agency must know) on its
    referral, under the case's lock."""
    async with pool.acquire() as connection, connection.transaction(), UnitOfWork(connection, context) as uow:
        if step is not None:
            at = await agency_work.any_referral(reminder.referral_id, uow)
            at.work.record(
                step,
                uow.now(),
                appointment_id=reminder.appointment_id,
                reminder_channel=reminder.channel,
                reminder_status=reminder.status,
                reason=reminder.reason,
            )
            await agency_work.stored(at, uow)
        await uow.work.save_reminders([reminder], now=uow.now())


_STEPS = {ReminderStatus.DELIVERED: WorkStep.REMINDER_DELIVERED, ReminderStatus.FAILED: WorkStep.REMINDER_FAILED}
