"""Reminders to the person before each appointment, through the Notify port to the local fake GOV.UK Notify (the
real client, signed requests): planned when the appointment is scheduled, sent when due with the contact detail
opened only then (a disclosure in the audit trail), followed to delivery — and a failure the agency sees."""

from __future__ import annotations

from datetime import timedelta

import httpx

from services.compliance.bootstrap import notify_of
from services.compliance.service_layer import appointment_reminders
from tests.integration.compliance.test_outcomes import APPOINTMENT

WOMEN = "brighter-tomorrows"


async def scheduled(compliance, phone: str, *, days_ahead: float = 3):
    case = await compliance.open_case(contact={"phone": phone})
    referral = case.referrals[WOMEN]
    assert (await compliance.post(WOMEN, referral, "accept")).status_code == 200
    when = compliance.clock.now() + timedelta(days=days_ahead)
    body = {
        "appointment_id": str(APPOINTMENT),
        "purpose": "initial_assessment",
        "mode": "face_to_face",
        "scheduled_for": when.isoformat(),
    }
    assert (await compliance.post(WOMEN, referral, "appointments", body)).status_code == 200
    return case, referral


async def sweep(compliance) -> int:
    """One pass of the reminder sweep, as the timer runs it: send what is due, then follow what is in flight."""
    context, notify = compliance.app.state.context, notify_of(compliance.settings)
    decided = await appointment_reminders.send_due(compliance.pool, context, notify)
    await appointment_reminders.follow_in_flight(compliance.pool, context, notify)
    return decided


async def reminders_of(compliance, referral) -> list[tuple]:
    response = await compliance.http.get(
        f"/v1/referrals/{referral}", params={"purpose": "reporting_progress"}, headers=compliance.as_agency(WOMEN)
    )
    return [(r["status"], r["channel"], r["reason"]) for r in response.json()["work"]["reminders"]]


async def sent_by_notify(compliance) -> list[dict]:
    async with httpx.AsyncClient(base_url=compliance.settings.notify_base_url) as fake:
        return (await fake.get("/_sent")).json()


async def test_a_reminder_goes_out_a_day_before_and_is_followed_to_delivery(compliance):
    case, referral = await scheduled(compliance, "+44 7700 900123")

    assert await sweep(compliance) == 0, "not due until a day before"
    compliance.clock.advance(days=2, minutes=1)
    assert await sweep(compliance) == 1
    for _ in range(2):  # Notify is asked again after a while: in flight, then delivered
        compliance.clock.advance(minutes=1)
        await sweep(compliance)

    mine = [n for n in await sent_by_notify(compliance) if n["to"] == "+44 7700 900123"]
    assert [(n["type"], n["status"]) for n in mine][-1:] == [("sms", "delivered")]
    reference = mine[-1]["reference"]
    assert set(mine[-1]["personalisation"]) == {"appointment", "agency"}, "no name, nothing but what the text needs"
    assert await reminders_of(compliance, referral) == [("delivered", "sms", None)]
    audit = await compliance.pool.fetch(
        "SELECT actor, action, recipient, fields FROM audit_log WHERE case_id = $1 AND detail = 'appointment reminder'",
        case.case_id,
    )
    assert [tuple(a) for a in audit] == [("compliance reminders", "disclosure", "GOV.UK Notify", ["phone"])]
    steps = await compliance.pool.fetch(
        "SELECT count(*) FROM reminders WHERE reminder_id::text = $1 AND status = 'delivered'", reference
    )
    assert steps[0][0] == 1, "Notify's reference is the reminder's id"


async def test_a_number_notify_refuses_and_a_message_that_never_arrives_are_shown_to_the_agency(compliance):
    _, refused = await scheduled(compliance, "+44 7700 900199")
    _, bounced = await scheduled(compliance, "+44 7700 900100")
    compliance.clock.advance(days=2, minutes=1)

    await sweep(compliance)
    for _ in range(2):
        compliance.clock.advance(minutes=1)
        await sweep(compliance)

    ((status, channel, reason),) = await reminders_of(compliance, refused)
    assert (status, channel) == ("failed", "sms") and "Not a UK mobile number" in reason
    assert await reminders_of(compliance, bounced) == [
        ("failed", "sms", "GOV.UK Notify could not deliver it (permanent-failure)")
    ]


async def test_no_reminder_for_an_appointment_missed_or_a_referral_that_left_the_agency(compliance):
    _, missed = await scheduled(compliance, "+44 7700 900123", days_ahead=0.5)
    _, declined = await scheduled(compliance, "+44 7700 900123")
    before = len(await sent_by_notify(compliance))
    missed_it = await compliance.post(WOMEN, missed, f"appointments/{APPOINTMENT}/missed", {"absence_acceptable": True})
    assert missed_it.status_code == 200, missed_it.text
    withdrawn = await compliance.post(WOMEN, declined, "withdrawal", {"reason": "moved_out_of_area"})
    assert withdrawn.status_code == 200, withdrawn.text
    compliance.clock.advance(days=2, minutes=1)

    assert await sweep(compliance) == 2

    assert await reminders_of(compliance, missed) == [("not_sent", None, "the appointment was reported missed")]
    assert await reminders_of(compliance, declined) == [
        ("not_sent", None, "the referral left the agency's hands (agency withdrew)")
    ]
    assert len(await sent_by_notify(compliance)) == before
