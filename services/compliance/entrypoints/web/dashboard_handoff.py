"""One sign-in for the workspace and the operations dashboard (issue 25).

The dashboard is a service of its own (it reads Kafka's topics and lag, which compliance has no right to), so it
cannot read the workspace's session. Instead, as in OAuth's authorisation-code flow, a person signed in here who
asks for the dashboard is sent there with a one-time code; the dashboard redeems it here, server to server, with its
own operations key, and learns who signed in. The code lives a minute and is redeemed once; it names nobody."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from platform_plumbing.http_conventions import ErrorBody, error_response
from services.compliance.adapters.people_store import Session
from services.compliance.entrypoints.http_api import ERRORS, Operations, in_transaction
from services.compliance.entrypoints.web.pages import page
from services.compliance.entrypoints.web.signed_in import team_session
from services.compliance.service_layer import accounts

router = APIRouter()


@router.get("/handoff/dashboard", include_in_schema=False)
async def to_dashboard(request: Request, session: Annotated[Session, Depends(team_session)]) -> Response:
    dashboard = request.app.state.dashboard_url
    if dashboard is None:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    code = await in_transaction(request, lambda uow: accounts.hand_off(session.person, uow))
    return RedirectResponse(f"{dashboard.rstrip('/')}/signed-in?code={code}", status_code=303)


class Redemption(BaseModel):
    code: str = Field(min_length=20, max_length=100, description="The code the dashboard was sent to, with the person.")


class HandedOff(BaseModel):
    name: str
    role: str
    actor: str = Field(description="Who they are in the audit trail.")


@router.post(
    "/v1/sign-in-handoffs/redeem",
    response_model=HandedOff,
    tags=["operations"],
    summary="Who a one-time sign-in code was handed to (the operations dashboard's sign-in)",
    responses={**ERRORS, 404: {"model": ErrorBody, "description": "No such code, or it expired or was used."}},
)
async def redeem(request: Request, body: Redemption, client: Operations) -> HandedOff | JSONResponse:
    person = await in_transaction(request, lambda uow: accounts.redeem(body.code, client.client_id, uow))
    if person is None:
        return error_response(404, "not_found", "no such sign-in code, or it expired or was used: sign in again")
    return HandedOff(name=person.name, role=person.role.value, actor=person.actor)
