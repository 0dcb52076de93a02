"""Needs no agency could take, placed by hand: the router owns every placement (it checks the team's choice against
the catalogue and the agencies' load, and announces the new referral, which replaces the unmatched one), so the
diversion team's pages hand the decision to the router's API with an operations key; compliance then hears the new
referral on Kafka like any other."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.compliance.adapters.service_commands import Refusal, ServiceCommands


@dataclass(frozen=True)
class HandPlacements(ServiceCommands):
    name: str = "the referral router"

    async def place(
        self, referral_id: UUID, *, agency_id: str, reason: str, placed_by: str, actor: str
    ) -> Refusal | None:
        """Place the unmatched referral's needs with `agency_id`; None when placed, or why the router refused."""
        decision = {"agency_id": agency_id, "reason": reason, "placed_by": placed_by, "actor": actor}
        return await self.send(f"/v1/unplaced/{referral_id}/placement", decision)
