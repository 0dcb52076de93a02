"""Who may call the router's HTTP API: the operations team's clients (a person, the dashboard, a script)."""

from __future__ import annotations

from dataclasses import dataclass

from platform_plumbing.api_clients import ClientTable


@dataclass(frozen=True)
class OperationsClient:
    client_id: str
    name: str


_CLIENTS = ClientTable("operations_clients", OperationsClient)
add_client = _CLIENTS.add
find_client = _CLIENTS.find
