"""Reminders go out through GOV.UK Notify, with GOV.UK's own client (`notifications-python-client`): a text message
or an email from a template, a `reference` per message (the reminder's id, so a message whose sending was cut short
can be found again rather than sent twice), and the notification's status read back until it is final.

The client is synchronous (requests), so each call runs in a worker thread. Notify's refusals are told apart: a
4xx (a number Notify will not send to, a template or key it does not know) is final for that message, anything
else (a timeout, a 5xx) is tried again by the next sweep. In tests and the demo the same client talks to a fake
Notify (`deploy/local_stack/fake_notify.py`); a real key works by configuration alone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from schemas.vocabulary import ReminderChannel


class NotifyRefused(Exception):
    """Notify will not send this message (its answer says why): sending it again would fail the same way."""


class NotifyUnavailable(Exception):
    """Notify could not be reached, or failed: the message may be sent again later."""


@dataclass(frozen=True)
class Templates:
    sms: str
    email: str


class Notify:
    """The notifications port: send a reminder, read a message's status, find one by its reference."""

    def __init__(self, api_key: str, base_url: str, templates: Templates, timeout: float = 10.0) -> None:
        self._client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        self._templates = templates

    async def send(self, channel: ReminderChannel, to: str, personalisation: dict[str, str], reference: str) -> str:
        """Hand a message to Notify; its notification id."""
        if channel == ReminderChannel.SMS:
            call = self._client.send_sms_notification
            arguments = {"phone_number": to, "template_id": self._templates.sms}
        else:
            call = self._client.send_email_notification
            arguments = {"email_address": to, "template_id": self._templates.email}
        answer = await self._call(call, **arguments, personalisation=personalisation, reference=reference)
        return answer["id"]

    async def status(self, notification_id: str) -> str:
        return (await self._call(self._client.get_notification_by_id, notification_id))["status"]

    async def sent_with(self, reference: str) -> str | None:
        """The id of a message already sent with this reference, if Notify has one."""
        answer = await self._call(self._client.get_all_notifications, reference=reference)
        found = answer.get("notifications", [])
        return found[0]["id"] if found else None

    async def _call(self, call, *arguments, **keywords) -> dict:
        try:
            return await asyncio.to_thread(call, *arguments, **keywords)
        except HTTPError as error:
            status = error.status_code or 0
            if 400 <= status < 500 and status not in (408, 429):
                raise NotifyRefused(f"Notify refused it ({status}: {_first_message(error)})") from None
            raise NotifyUnavailable(f"Notify answered {status or 'nothing'}") from None
        except Exception as error:  # the client's transport errors are requests' own
            raise NotifyUnavailable(f"Notify could not be reached ({type(error).__name__})") from None


def _first_message(error: HTTPError) -> str:
    messages = error.message if isinstance(error.message, list) else [error.message]
    first = messages[0] if messages else ""
    return first.get("message", "") if isinstance(first, dict) else str(first)
