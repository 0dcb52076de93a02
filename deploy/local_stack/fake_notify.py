"""A local stand-in for GOV.UK Notify's API (v2), for tests and the demo: the part the reminders use, answering as
Notify documents it (https://docs.notifications.service.gov.uk/rest-api.html), so the real client is what talks to
it and a real key is a change of configuration only.

- `POST /v2/notifications/sms` and `/email` send from a template (201, the notification's id and reference);
- `GET /v2/notifications/{id}` reads a notification: `created` when sent, `delivered` once read after that;
- `GET /v2/notifications?reference=` finds the notifications sent with a reference.

Requests are signed as Notify requires (a JWT, HS256, issued by the key's service id, signed with its secret),
checked with GOV.UK's own client library. Outcomes are deterministic by address, as Notify's own test numbers are:
a phone number ending `99` (an email starting `refused`) is refused as not a valid recipient (400); one ending `00`
(an email starting `bounce`) is accepted and then fails to deliver (`permanent-failure`). Messages are kept in
memory only; `GET /_sent` lists them for a test to inspect (a fake: a real Notify has no such door).
"""

from __future__ import annotations

import argparse
import os
import uuid
from datetime import UTC, datetime
from typing import Annotated

import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError
from pydantic import BaseModel

DEVELOPMENT_KEY = "local_development-4b3a0e0c-7a2f-4c65-9f0e-0c3d1f6a2b11-9a8f6e1e-2c44-4f0b-8a5d-3b7e6c1d2f90"
"""The fake's key in `make up` and the demo (name, service id, secret, as Notify's keys are made): not a secret."""


class SmsRequest(BaseModel):
    phone_number: str
    template_id: str
    personalisation: dict[str, str] = {}
    reference: str | None = None


class EmailRequest(BaseModel):
    email_address: str
    template_id: str
    personalisation: dict[str, str] = {}
    reference: str | None = None


class NotifyError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        self.status, self.error, self.message = status, error, message


def create_app(api_key: str = DEVELOPMENT_KEY) -> FastAPI:
    """The fake, accepting requests signed with `api_key` only."""
    service_id, secret = api_key[-73:-37], api_key[-36:]
    app = FastAPI(title="fake GOV.UK Notify", docs_url=None, redoc_url=None, openapi_url=None)
    notifications: dict[str, dict] = {}

    @app.exception_handler(NotifyError)
    async def _refused(_: Request, error: NotifyError) -> JSONResponse:
        body = {"status_code": error.status, "errors": [{"error": error.error, "message": error.message}]}
        return JSONResponse(body, status_code=error.status)

    def authorised(authorization: str | None) -> None:
        token = (authorization or "").removeprefix("Bearer ").strip()
        try:
            if not token or get_token_issuer(token) != service_id:
                raise NotifyError(403, "AuthError", "Invalid token: service not found")
            decode_jwt_token(token, secret)
        except TokenError as error:
            raise NotifyError(403, "AuthError", error.message) from None

    def kept(kind: str, to: str, body: SmsRequest | EmailRequest, fails: bool) -> dict:
        notification_id = str(uuid.uuid4())
        notifications[notification_id] = {
            "id": notification_id,
            "reference": body.reference,
            "type": kind,
            "to": to,
            "template": {"id": body.template_id, "version": 1},
            "personalisation": body.personalisation,
            "status": "created",
            "final": "permanent-failure" if fails else "delivered",
            "created_at": datetime.now(UTC).isoformat(),
        }
        return {
            "id": notification_id,
            "reference": body.reference,
            "content": {"body": " ".join(body.personalisation.values())},
            "template": {"id": body.template_id, "version": 1, "uri": f"/v2/template/{body.template_id}"},
            "uri": f"/v2/notifications/{notification_id}",
        }

    @app.post("/v2/notifications/sms", status_code=201)
    async def send_sms(body: SmsRequest, authorization: Annotated[str | None, Header()] = None) -> dict:
        authorised(authorization)
        if body.phone_number.endswith("99"):
            raise NotifyError(400, "ValidationError", "phone_number Not a UK mobile number")
        return kept("sms", body.phone_number, body, fails=body.phone_number.endswith("00"))

    @app.post("/v2/notifications/email", status_code=201)
    async def send_email(body: EmailRequest, authorization: Annotated[str | None, Header()] = None) -> dict:
        authorised(authorization)
        if body.email_address.startswith("refused") or "@" not in body.email_address:
            raise NotifyError(400, "ValidationError", "email_address Not a valid email address")
        return kept("email", body.email_address, body, fails=body.email_address.startswith("bounce"))

    @app.get("/v2/notifications/{notification_id}")
    async def read(notification_id: str, authorization: Annotated[str | None, Header()] = None) -> dict:
        authorised(authorization)
        notification = notifications.get(notification_id)
        if notification is None:
            raise NotifyError(404, "NoResultFound", "No result found")
        shown = _shown(notification)
        notification["status"] = notification["final"]  # read once in flight, then final: as a carrier would
        return shown

    @app.get("/v2/notifications")
    async def search(reference: str | None = None, authorization: Annotated[str | None, Header()] = None) -> dict:
        authorised(authorization)
        found = [_shown(n) for n in notifications.values() if reference is None or n["reference"] == reference]
        return {"notifications": found, "links": {"current": "/v2/notifications"}}

    @app.get("/_sent")
    async def sent() -> list[dict]:
        return [_shown(n) for n in notifications.values()]

    @app.get("/readyz")
    async def ready() -> dict:
        return {"status": "ready"}

    return app


def _shown(notification: dict) -> dict:
    return {key: value for key, value in notification.items() if key != "final"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fake_notify", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_NOTIFY_PORT", "18090")))
    parser.add_argument("--api-key", default=DEVELOPMENT_KEY)
    args = parser.parse_args(argv)
    uvicorn.run(create_app(args.api_key), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
