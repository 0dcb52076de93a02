"""Who calls the gateway: a partner agency (sees only its own referrals), the operations team (the diversion team),
or a police force's systems (read their own force's safeguarding concerns)."""

from __future__ import annotations

from dataclasses import dataclass

from platform_plumbing.api_clients import ClientTable


@dataclass(frozen=True)
class GatewayClient:
    client_id: str
    role: str
    agency_id: str | None
    name: str
    force_id: str | None = None


_CLIENTS = ClientTable("gateway_clients", GatewayClient)
add_client = _CLIENTS.add
find_client = _CLIENTS.find
