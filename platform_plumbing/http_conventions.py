"""What every HTTP door of the platform does the same way: body limits, errors, health.

Callers are police systems and small partner agencies, often testing by hand with curl, so
every refusal is JSON of one shape — `{"error": code, "message": text, "fields": [...]}` —
and a validation error names each field and what is wrong with it, but never echoes the value
sent (it may be a name, a date of birth or a note about someone's health).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from prometheus_client import make_asgi_app
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_plumbing.api_keys import principal_for
from platform_plumbing.auth_throttle import FailedAuthentications
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.service_runtime import ServiceRuntime

logger = logging.getLogger(__name__)
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="Your API key, `dvk_<id>_<secret>`.")


class Unauthorised(Exception):
    """No API key, or not a live one: 401."""


class Forbidden(Exception):
    """A live key whose holder may not use this route: 403."""


class TooManyFailures(Exception):
    """Too many failed authentications from this address lately: 429."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


async def authenticate(
    request: Request, api_key: str | None, find: Callable[[asyncpg.Pool, str], Awaitable[T | None]]
) -> T:
    """The client a live API key belongs to (looked up with `find` in the app's pool); else Unauthorised, or
    TooManyFailures once its address has failed too often lately (see `auth_throttle`)."""
    pool: asyncpg.Pool = request.app.state.pool

    async def client() -> T | None:
        principal = await principal_for(pool, api_key) if api_key else None
        return await find(pool, principal) if principal else None

    if (found := await throttled(request, client)) is None:
        raise Unauthorised()
    return found


async def throttled(request: Request, check: Callable[[], Awaitable[T | None]]) -> T | None:
    """Run a credential `check` unless the caller's address has failed too often lately (TooManyFailures);
    a check that finds nothing (None) counts as a failure against the address."""
    failures: FailedAuthentications = request.app.state.failed_authentications
    address = request.client.host if request.client else "unknown"
    if (wait := failures.retry_after(address)) is not None:
        raise TooManyFailures(wait)
    found = await check()
    if found is None:
        failures.failed(address)
    return found


@contextmanager
def refused_as_request() -> Iterator[None]:
    """While a command is built from a request, what its model refuses is the caller's input, answered as a 422
    naming the fields (a route's own bug would be a 500, so only the building of commands goes through here)."""
    try:
        yield
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors(include_input=False, include_url=False)) from None


def command_from_request(model: type[M], **fields) -> M:
    """Build the command a request stands for (see `refused_as_request`)."""
    with refused_as_request():
        return model(**fields)


class FieldProblem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    error: str
    message: str
    fields: list[FieldProblem] = []


def error_response(
    status: int,
    error: str,
    message: str,
    fields: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=error, message=message, fields=fields or [])
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


class BodySizeLimit:
    """Refuse a request body over `max_bytes` with 413, before anything parses it.

    Reads at most `max_bytes + 1` bytes whether or not Content-Length is sent (or honest).
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(scope, receive, send)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await self._refuse(scope, receive, send)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "body_too_large", f"request bodies are limited to {self.max_bytes} bytes")
        await response(scope, receive, send)


async def database_answers(app: FastAPI) -> bool:
    """Ready once the lifespan has put a pool on `app.state` and PostgreSQL answers through it."""
    pool = getattr(app.state, "pool", None)
    if pool is None:
        return False
    try:
        await pool.fetchval("SELECT 1")
    except Exception:
        return False
    return True


def install_authentication_errors(app: FastAPI, how_to_authenticate: str) -> None:
    """401 for a missing or wrong key, telling the caller `how_to_authenticate`, and 429 after too many."""

    @app.exception_handler(Unauthorised)
    async def unauthorised(_: Request, __: Unauthorised) -> JSONResponse:
        return error_response(401, "unauthorised", how_to_authenticate, headers={"WWW-Authenticate": "ApiKey"})

    @app.exception_handler(TooManyFailures)
    async def too_many_failures(_: Request, error: TooManyFailures) -> JSONResponse:
        return error_response(
            429,
            "too_many_failed_attempts",
            f"too many requests with a missing or wrong API key from this address: wait {error.retry_after} s",
            headers={"Retry-After": str(error.retry_after)},
        )


TELEMETRY = {"tracing": True, "metrics": False, "logs": False, "operation_spans": False}
"""What every app's FastAPI records of itself: a server span per request, named for its route template (never
the path, which may hold a police reference), continuing the caller's `traceparent`; and nothing else — the
services' metrics are Prometheus's, their logs are JSON, and a span per dependency would cost more than it
tells. (Our own request-span middleware, before FastAPI had this, started a second trace beside FastAPI's.)"""


def install_conventions(
    app: FastAPI,
    *,
    max_body_bytes: int,
    metrics: ServiceMetrics,
    runtime: ServiceRuntime,
    ready: Callable[[FastAPI], Awaitable[bool]] = database_answers,
) -> None:
    """Add the body limit, the error handlers, `/healthz`, `/readyz`, `/metrics` and the service's AsyncAPI
    document (`/asyncapi.json`) to `app`. (Each request's span is FastAPI's own: see `TELEMETRY`.)"""
    app.state.failed_authentications = FailedAuthentications(max_failures=runtime.settings.auth_failure_limit)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.mount("/metrics", make_asgi_app(registry=metrics.registry))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        fields = [
            FieldProblem(
                field=".".join(str(part) for part in item["loc"] if part != "body") or "(body)", message=item["msg"]
            )
            for item in error.errors()
        ]
        return error_response(422, "invalid_request", "the request does not match the schema; see fields", fields)

    install_authentication_errors(app, "send a live API key in the X-API-Key header")

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, __: Forbidden) -> JSONResponse:
        return error_response(403, "forbidden", "this key may not use this route")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return error_response(error.status_code, code, str(error.detail), headers=error.headers)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        logger.error("unexpected error handling a request: %s", type(error).__name__)
        return error_response(500, "internal_error", "an unexpected error; it has been logged")

    app.state.runtime = runtime

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> dict:
        return runtime.asyncapi(title=app.title, version=app.version, description=app.description)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        if await ready(app):
            return JSONResponse({"status": "ready"})
        return error_response(503, "not_ready", "the service cannot reach its database or broker yet")
