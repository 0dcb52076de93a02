"""Who is signed in to the web pages, and the checks every page and form makes.

The browser holds a random session token in a cookie that no script can read (HttpOnly), that is sent only over
HTTPS or to this machine (Secure) and never with a request another site starts (SameSite=Strict); every form also
carries its session's own CSRF token, compared in constant time. A page asked for without a session is answered
with the sign-in page's address (the page asked for rides along as a path: no personal detail is ever in a URL).
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse

from services.compliance.adapters.people_store import PeopleStore, Session
from services.compliance.domain.people import NotAllowed
from services.compliance.entrypoints.web.pages import page
from services.compliance.service_layer.accounts import wall_clock

COOKIE = "diversion_portal"
SIGN_IN_COOKIE = "diversion_sign_in"
"""The sign-in form's own CSRF token, before there is a session to hold one."""


class SignInNeeded(Exception):
    pass


class FormRefused(Exception):
    """A form posted without its session's token: from another site, or from a page left open past its session."""


COOKIE_OPTIONS = {"httponly": True, "secure": True, "samesite": "strict", "path": "/"}


async def current_session(request: Request) -> Session:
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInNeeded()
    async with request.app.state.pool.acquire() as connection:
        session = await PeopleStore(connection).session(token, now=wall_clock())
    if session is None:
        raise SignInNeeded()
    return session


SignedIn = Annotated[Session, Depends(current_session)]


async def agency_session(session: SignedIn) -> Session:
    if not session.person.works_for_agency:
        raise NotAllowed()
    return session


async def team_session(session: SignedIn) -> Session:
    if not session.person.works_for_team:
        raise NotAllowed()
    return session


AgencyPerson = Annotated[Session, Depends(agency_session)]


async def checked_form(request: Request, session: Session) -> dict[str, str]:
    """The form posted, as text fields, if it carries the session's CSRF token; FormRefused else."""
    form = await request.form()
    fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    if not secrets.compare_digest(fields.pop("csrf_token", "").encode(), session.csrf_token.encode()):
        raise FormRefused()
    return fields


def install_page_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, _: SignInNeeded):
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(FormRefused)
    async def form_refused(request: Request, _: FormRefused):
        return page(request, "problem.html", 403, title="This form has expired", session=None)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, _: NotAllowed):
        return page(request, "problem.html", 403, title="You cannot do this with your account", session=None)
