"""Police clients: each police system that calls intake, the force it may act for, and its role — the
police (officers, through their system) or the victim-contact role, which reports reparation and
compensation only."""

from __future__ import annotations

from dataclasses import dataclass

from platform_plumbing.api_clients import ClientTable


@dataclass(frozen=True)
class PoliceClient:
    client_id: str
    force_id: str
    name: str
    role: str = "police"


_CLIENTS = ClientTable("police_clients", PoliceClient)
add_client = _CLIENTS.add
find_client = _CLIENTS.find
