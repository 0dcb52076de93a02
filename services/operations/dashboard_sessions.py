"""Who is looking at the dashboard: a person signed in with their own account, handed over by the workspace (see
compliance's `dashboard_handoff`), or an operator who logged in with their operations key.

A person's one-time code is redeemed at compliance with the dashboard's own operations key, which their session then
reads with (compliance's audit trail has their sign-in under their name, and the dashboard's key on each read). A
key is checked where it was issued — compliance's gateway, by asking an operations-only report with
it — and kept server-side against a random session id; the browser holds only that id, in a cookie that
is HttpOnly (no script reads it), Secure and SameSite=Strict. Compliance is then asked with the operator's
own key, so its records say which operator looked. Sessions end after `SESSION_SECONDS`, on logout, or
when the dashboard restarts.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

import httpx

from platform_plumbing.api_keys import looks_like_key

COOKIE = "diversion_session"


class CannotCheck(Exception):
    """Compliance could not say whether a key is an operations key (busy, down, or throttling us)."""


SESSION_SECONDS = 8 * 3600


@dataclass
class Sessions:
    agency_api_url: str
    _open: dict[str, tuple[str, float]] = field(default_factory=dict)

    async def is_operations_key(self, api_key: str) -> bool:
        """Whether compliance takes `api_key` as an operations key (it refuses any other with 401 or 403).

        Only something shaped like a key is passed on: every wrong key the dashboard forwards counts, at
        compliance, against the dashboard's own address. Any other answer (429, 5xx, no answer) says
        nothing about the key and raises `CannotCheck`."""
        if not looks_like_key(api_key):
            return False
        answer = await self._ask("GET", "/v1/reports/breaches", api_key)
        if answer.status_code in (401, 403):
            return False
        if answer.status_code != 200:
            raise CannotCheck(f"compliance answered {answer.status_code}")
        return True

    async def redeem(self, code: str, dashboard_key: str) -> str | None:
        """Who the workspace handed `code` to (their name), redeemed once at compliance with the dashboard's key; None
        if it is unknown, expired or used. Raises `CannotCheck` when compliance cannot say."""
        if not dashboard_key:
            raise CannotCheck("the dashboard has no OPERATIONS_API_KEY to redeem a sign-in with")
        answer = await self._ask("POST", "/v1/sign-in-handoffs/redeem", dashboard_key, json={"code": code})
        if answer.status_code in (404, 422):
            return None
        if answer.status_code != 200:
            raise CannotCheck(f"compliance answered {answer.status_code}")
        return answer.json()["name"]

    async def _ask(self, method: str, path: str, api_key: str, **request) -> httpx.Response:
        try:
            async with httpx.AsyncClient(base_url=self.agency_api_url, timeout=5) as http:
                return await http.request(method, path, headers={"X-API-Key": api_key}, **request)
        except httpx.HTTPError as error:
            raise CannotCheck(type(error).__name__) from None

    def open(self, api_key: str) -> str:
        self._expire()
        session = secrets.token_urlsafe(32)
        self._open[session] = (api_key, time.monotonic() + SESSION_SECONDS)
        return session

    def key_of(self, session: str | None) -> str | None:
        """The operator's key for a live session, or None."""
        self._expire()
        found = self._open.get(session or "")
        return found[0] if found else None

    def close(self, session: str | None) -> None:
        self._open.pop(session or "", None)

    def _expire(self) -> None:
        now = time.monotonic()
        for session in [s for s, (_, until) in self._open.items() if until <= now]:
            del self._open[session]
