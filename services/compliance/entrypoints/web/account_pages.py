"""Signing in and out, and the people page where an agency's administrator (or operations) adds and disables
accounts. Sign-in is throttled per address and per account (`auth_throttle`): a guesser is told to wait."""

from __future__ import annotations

import secrets
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from platform_plumbing.auth_throttle import FailedAuthentications
from services.compliance.adapters.people_store import Session
from services.compliance.domain.people import AGENCY_ROLES, MANAGES, NotAllowed, Role
from services.compliance.entrypoints.http_api import in_transaction
from services.compliance.entrypoints.web.pages import page
from services.compliance.entrypoints.web.signed_in import (
    COOKIE,
    COOKIE_OPTIONS,
    SIGN_IN_COOKIE,
    SignedIn,
    checked_form,
    current_session,
)
from services.compliance.service_layer import accounts

router = APIRouter(include_in_schema=False)


def failed_sign_ins(request: Request) -> FailedAuthentications:
    """Per account, per app: five wrong passwords in fifteen minutes, then it waits (the address is limited as the
    API's is, in `app.state.failed_authentications`)."""
    state = request.app.state
    if not hasattr(state, "failed_sign_ins"):
        state.failed_sign_ins = FailedAuthentications(max_failures=5, window_seconds=900)
    return state.failed_sign_ins


def _home(session: Session) -> str:
    return "/portal/referrals" if session.person.works_for_agency else "/team"


def _safe_next(path: str | None) -> str | None:
    """Only a path on this site (never `//elsewhere`): the sign-in page must not send anyone away."""
    return path if path and path.startswith("/") and not path.startswith("//") else None


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(request, "sign_in.html", session=None, form_token=token, next=_safe_next(next), errors={})
    response.set_cookie(SIGN_IN_COOKIE, token, max_age=3600, **COOKIE_OPTIONS)
    return response


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token.encode(), expected.encode()):
        return page(request, "problem.html", 403, title="This form has expired", session=None)
    address = request.client.host if request.client else "unknown"
    by_address = request.app.state.failed_authentications
    account = email.strip().lower()
    by_account = failed_sign_ins(request)
    wait = by_address.retry_after(address) or by_account.retry_after(account)
    if wait is not None:
        errors = {"email": f"Too many attempts. Try again in {max(1, wait // 60)} minutes."}
        return _sign_in_again(request, expected, next, account, errors, 429)
    # Counted before the first await, and taken back if right: attempts sent at once cannot all pass the check.
    by_address.failed(address)
    by_account.failed(account)
    try:
        signed_in = await in_transaction(request, lambda uow: accounts.sign_in(account, password, uow))
    except accounts.SignInRefused as refused:
        return _sign_in_again(request, expected, next, account, {"email": str(refused)}, 401)
    by_address.forgive(address)
    by_account.forgive(account)
    response = RedirectResponse(_safe_next(next) or _home(signed_in.session), status_code=303)
    response.set_cookie(COOKIE, signed_in.token, max_age=int(accounts.SESSION_LENGTH.total_seconds()), **COOKIE_OPTIONS)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


def _sign_in_again(request: Request, token: str, next: str | None, email: str, errors: dict, status: int) -> Response:
    return page(
        request,
        "sign_in.html",
        status,
        session=None,
        form_token=token,
        next=_safe_next(next),
        email=email,
        errors=errors,
    )


@router.post("/sign-out")
async def sign_out(request: Request, session: SignedIn) -> Response:
    await checked_form(request, session)
    await in_transaction(request, lambda uow: uow.people.close_session(request.cookies[COOKIE]))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


async def _manager(session: SignedIn) -> Session:
    if session.person.role not in MANAGES:
        raise NotAllowed()
    return session


Manager = Annotated[Session, Depends(_manager)]


@router.get("/people", response_class=HTMLResponse)
async def people_page(request: Request, session: Annotated[Session, Depends(current_session)]) -> Response:
    return await _people_again(request, session, {}, None, 200)


def _roles_for(session: Session) -> list[Role]:
    return sorted(MANAGES.get(session.person.role, frozenset()), key=list(Role).index)


@router.post("/people", response_class=HTMLResponse)
async def add_person(request: Request, session: Manager) -> Response:
    form = await checked_form(request, session)
    by = session.person
    errors: dict[str, str] = {}
    try:
        role = Role(form.get("role", ""))
    except ValueError:
        role, errors["role"] = None, "Choose a role."
    agency = by.agency_id if by.agency_id else (form.get("agency_id") or None)
    for field, label in (("name", "their name"), ("email", "their email address")):
        if not form.get(field, "").strip():
            errors[field] = f"Enter {label}."
    if role is not None and (role in AGENCY_ROLES) != (agency is not None):
        errors["agency_id"] = "An agency's caseworker or administrator needs their agency; no other role has one."
    if not errors:
        try:
            added = await in_transaction(
                request,
                lambda uow: accounts.add_person(
                    by,
                    email=form["email"],
                    name=form["name"],
                    role=role,
                    agency_id=agency,
                    password=form.get("password", ""),
                    uow=uow,
                ),
            )
        except accounts.InvalidAccount as refused:
            errors[refused.field] = str(refused)
        else:
            return await _people_again(request, session, {}, f"Account created for {added.name}.", 200)
    return await _people_again(request, session, errors, None, 422, form)


@router.post("/people/{person_id}/disable", response_class=HTMLResponse)
async def disable_person(request: Request, person_id: UUID, session: Manager) -> Response:
    await checked_form(request, session)
    try:
        disabled = await in_transaction(request, lambda uow: accounts.disable_person(session.person, person_id, uow))
    except accounts.UnknownPerson:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    return await _people_again(request, session, {}, f"{disabled.name}'s account is disabled.", 200)


async def _people_again(
    request: Request, session: Session, errors: dict, done: str | None, status: int, form: dict | None = None
) -> Response:
    person = session.person
    people = (
        await in_transaction(request, lambda uow: uow.people.people(person.agency_id)) if person.role in MANAGES else []
    )
    return page(
        request,
        "people.html",
        status,
        session=session,
        people=people,
        roles=_roles_for(session),
        errors=errors,
        done=done,
        form=form or {},
    )
