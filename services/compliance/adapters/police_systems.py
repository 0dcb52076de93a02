"""The police's own system of record for decisions: intake. A police decision after a breach is the force's
command, which intake owns (it checks it against the law and the policy, records it and announces it); the
diversion team's pages hand it to intake over its API with the force's key, and compliance then hears the decision
on Kafka like any other. So no rule of a decision lives here."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


class PoliceSystemsUnavailable(Exception):
    """Intake could not be reached, or is not configured: nothing was recorded."""


@dataclass(frozen=True)
class Refusal:
    status_code: int
    message: str
    problems: dict[str, str]
    """Field -> what is wrong, as intake named them."""


@dataclass(frozen=True)
class PoliceSystems:
    base_url: str
    api_key: str

    async def decide_breach(self, police_reference: str, decision: dict) -> Refusal | None:
        """Record the decision at intake; None when it was recorded, or why intake refused it."""
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as http:
                answer = await http.post(
                    f"/v1/cases/{police_reference}/breach-decision", json=decision, headers={"X-API-Key": self.api_key}
                )
        except httpx.HTTPError as error:
            raise PoliceSystemsUnavailable(type(error).__name__) from None
        if answer.status_code == 200:
            return None
        if answer.status_code >= 500 or answer.status_code in (401, 403, 429):
            raise PoliceSystemsUnavailable(f"intake answered {answer.status_code}")
        try:
            body = answer.json()
            problems = {p["field"]: p["message"] for p in body.get("fields") or []}
            return Refusal(answer.status_code, str(body.get("message", "refused")), problems)
        except (ValueError, KeyError, TypeError, AttributeError):  # not intake's error body: a proxy's page
            return Refusal(answer.status_code, f"The police's system refused it ({answer.status_code}).", {})
