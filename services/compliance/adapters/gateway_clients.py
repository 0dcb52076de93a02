"""Who calls the gateway: a partner agency (sees only its own referrals) or the operations team."""

from __future__ import annotations

from dataclasses import dataclass

from platform_plumbing.api_clients import ClientTable


@dataclass(frozen=True)
class GatewayClient:
    client_id: str
    role: str
    agency_id: str | None
    name: str


_CLIENTS = ClientTable("gateway_clients", GatewayClient)
add_client = _CLIENTS.add
find_client = _CLIENTS.find
