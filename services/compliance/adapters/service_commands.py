"""Commands the diversion team's pages hand to the service that owns them, over its API with a key of compliance's
own: a police decision to intake (the police's system of record), a need placed by hand to the router (which owns
every placement). No rule of those commands lives here; compliance hears their outcome on Kafka like any other."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


class ServiceUnavailable(Exception):
    """The service could not be reached, refused the key, or is not configured: nothing was done."""


@dataclass(frozen=True)
class Refusal:
    status_code: int
    message: str
    problems: dict[str, str]
    """Field -> what is wrong, as the service named them."""


@dataclass(frozen=True)
class ServiceCommands:
    """One service's API, called with one key."""

    base_url: str
    api_key: str
    name: str
    """As the pages name it: "the police's system"."""

    async def send(self, path: str, command: dict) -> Refusal | None:
        """POST `command`; None when the service did it, or why it refused (its own error body, or a proxy's page)."""
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as http:
                answer = await http.post(path, json=command, headers={"X-API-Key": self.api_key})
        except httpx.HTTPError as error:
            raise ServiceUnavailable(type(error).__name__) from None
        if answer.is_success:
            return None
        if answer.status_code >= 500 or answer.status_code in (401, 403, 429):
            raise ServiceUnavailable(f"{self.name} answered {answer.status_code}")
        try:
            body = answer.json()
            problems = {p["field"]: p["message"] for p in body.get("fields") or []}
            return Refusal(answer.status_code, str(body.get("message", "refused")), problems)
        except (ValueError, KeyError, TypeError, AttributeError):  # not the service's error body: a proxy's page
            return Refusal(answer.status_code, f"{self.name.capitalize()} refused it ({answer.status_code}).", {})
