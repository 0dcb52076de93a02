"""The operations dashboard: one page that refreshes itself from `/api/overview`, behind the workspace's sign-in
(a person's own account, handed over with a one-time code) or a login with an operations key (see
`dashboard_sessions`), and the force's report tables as CSV downloads. A script may send the key as `X-API-Key`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import Cookie, Depends, FastAPI, Query, Request, Security
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from platform_plumbing.auth_throttle import FailedAuthentications
from platform_plumbing.http_conventions import (
    API_KEY_HEADER,
    TELEMETRY,
    Unauthorised,
    error_response,
    install_authentication_errors,
    throttled,
)
from services.operations.dashboard_sessions import COOKIE, SESSION_SECONDS, CannotCheck, Sessions
from services.operations.kafka_views import KafkaViews
from services.operations.overview import overview
from services.operations.report_tables import CSV_TABLES, fetch_csv
from services.operations.settings import OperationsSettings

STATIC = Path(__file__).parent / "static"


class Login(BaseModel):
    api_key: str = Field(min_length=1, max_length=200)


async def operator_key(
    request: Request,
    session: Annotated[str | None, Cookie(alias=COOKIE)] = None,
    api_key: Annotated[str | None, Security(API_KEY_HEADER)] = None,
) -> str:
    """The operator's operations key: from their session, or sent with the request."""
    sessions: Sessions = request.app.state.sessions
    if (key := sessions.key_of(session)) is not None:
        return key
    if api_key and await _accepted(request, api_key):
        return api_key
    raise Unauthorised()


async def page(request: Request, session: Annotated[str | None, Cookie(alias=COOKIE)] = None) -> HTMLResponse:
    logged_in = request.app.state.sessions.key_of(session) is not None
    return HTMLResponse((STATIC / ("dashboard.html" if logged_in else "login.html")).read_text())


async def login(request: Request, body: Login) -> Response:
    if not await _accepted(request, body.api_key):
        raise Unauthorised()
    return _with_session(JSONResponse({"logged_in": True}), request.app.state.sessions.open(body.api_key))


async def sign_in(request: Request) -> Response:
    """To the workspace's sign-in, which sends the person back to `/signed-in` with a one-time code."""
    return RedirectResponse(f"{request.app.state.settings.agency_api_url.rstrip('/')}/handoff/dashboard", 303)


async def signed_in(request: Request, code: Annotated[str, Query(min_length=20, max_length=100)]) -> Response:
    settings: OperationsSettings = request.app.state.settings
    sessions: Sessions = request.app.state.sessions
    if await sessions.redeem(code, settings.operations_api_key) is None:
        return HTMLResponse(
            '<!doctype html><html lang="en"><title>Sign in again</title><h1>Sign in again</h1>'
            '<p>That sign-in has expired or was used already. <a href="/sign-in">Sign in again</a>.</p></html>',
            status_code=401,
        )
    # A page of our own moves on to the dashboard, not a redirect: the request for it is then this site's own, and
    # carries the new SameSite=Strict cookie even when the workspace that sent the person here is another site.
    signed_in_page = HTMLResponse(
        '<!doctype html><html lang="en"><meta http-equiv="refresh" content="0;url=/"><title>Signed in</title>'
        '<p>Signed in. <a href="/">Go to the dashboard</a>.</p></html>'
    )
    return _with_session(signed_in_page, sessions.open(settings.operations_api_key))


def _with_session(response: Response, session: str) -> Response:
    response.set_cookie(COOKIE, session, max_age=SESSION_SECONDS, httponly=True, secure=True, samesite="strict")
    return response


async def logout(request: Request, session: Annotated[str | None, Cookie(alias=COOKIE)] = None) -> Response:
    request.app.state.sessions.close(session)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


async def api_overview(request: Request, key: Annotated[str, Depends(operator_key)]) -> dict:
    return await overview(request.app.state.settings, request.app.state.kafka_views, operations_key=key)


async def report_csv(
    request: Request,
    table: str,
    key: Annotated[str, Depends(operator_key)],
    by: str = "disposal",
) -> Response:
    """A report table as the force would publish it (compliance suppresses counts under 5), asked for with the
    operator's own key so that compliance's audit trail names who downloaded it."""
    if table not in CSV_TABLES:
        return error_response(404, "no_such_report", f"no report {table!r}: one of {', '.join(CSV_TABLES)}")
    settings: OperationsSettings = request.app.state.settings
    async with httpx.AsyncClient(base_url=settings.agency_api_url, timeout=30, headers={"X-API-Key": key}) as http:
        try:
            body = await fetch_csv(http, table, by)
        except httpx.HTTPStatusError as refused:
            return Response(refused.response.content, refused.response.status_code, media_type="application/json")
    name = f"{table}-by-{by}" if CSV_TABLES[table][1] else table
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


async def health() -> dict:
    return {"status": "ok"}


async def _accepted(request: Request, api_key: str) -> bool:
    """Whether `api_key` is an operations key; too many wrong ones from one address are answered 429."""

    async def operations_key() -> bool | None:
        return True if await request.app.state.sessions.is_operations_key(api_key) else None

    return await throttled(request, operations_key) is not None


def create_app(settings: OperationsSettings) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.kafka_views.close()

    app = FastAPI(
        title="Diversion operations dashboard",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=TELEMETRY,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.kafka_views = KafkaViews(settings.kafka, settings.topic_prefix)
    app.state.sessions = Sessions(settings.agency_api_url)
    app.state.failed_authentications = FailedAuthentications()
    app.add_api_route("/", page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/login", login, methods=["POST"], include_in_schema=False)
    app.add_api_route("/logout", logout, methods=["POST"], include_in_schema=False)
    app.add_api_route("/sign-in", sign_in, methods=["GET"], include_in_schema=False)
    app.add_api_route("/signed-in", signed_in, methods=["GET"], include_in_schema=False)
    app.add_api_route("/api/overview", api_overview, methods=["GET"])
    app.add_api_route("/reports/{table}.csv", report_csv, methods=["GET"])
    app.add_api_route("/healthz", health, methods=["GET"], include_in_schema=False)
    app.add_api_route("/readyz", health, methods=["GET"], include_in_schema=False)

    install_authentication_errors(app, "log in with your operations key")

    @app.exception_handler(CannotCheck)
    async def cannot_check(_: Request, error: CannotCheck) -> JSONResponse:
        return error_response(503, "cannot_check_key", f"the compliance service cannot check keys now ({error})")

    return app
