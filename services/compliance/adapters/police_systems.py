"""The police's own system of record for decisions: intake. A police decision after a breach is the force's
command, which intake owns (it checks it against the law and the policy, records it and announces it); the
diversion team's pages hand it to intake over its API with the force's key, and compliance then hears the decision
on Kafka like any other. So no rule of a decision lives here."""

from __future__ import annotations

from dataclasses import dataclass

from services.compliance.adapters.service_commands import Refusal, ServiceCommands


@dataclass(frozen=True)
class PoliceSystems(ServiceCommands):
    name: str = "the police's system"

    async def decide_breach(self, police_reference: str, decision: dict) -> Refusal | None:
        """Record the decision at intake; None when it was recorded, or why intake refused it."""
        return await self.send(f"/v1/cases/{police_reference}/breach-decision", decision)
