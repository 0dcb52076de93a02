"""Police clients: each police system that calls intake, the force it may act for, and its role — the
police (officers, through their system) or the victim-contact role, which reports reparation and
compensation only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class PoliceClient:
    client_id: str
    force_id: str
    name: str
    role: str = "police"


async def add_client(connection: asyncpg.Connection, client: PoliceClient, *, now: datetime) -> bool:
    """Register `client`; False (and nothing changed) if its id exists already."""
    status = await connection.execute(
        "INSERT INTO police_clients (client_id, force_id, name, role, created_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (client_id) DO NOTHING",
        client.client_id,
        client.force_id,
        client.name,
        client.role,
        now,
    )
    return status.endswith(" 1")


async def find_client(connection: asyncpg.Connection | asyncpg.Pool, client_id: str) -> PoliceClient | None:
    row = await connection.fetchrow(
        "SELECT client_id, force_id, name, role FROM police_clients WHERE client_id = $1", client_id
    )
    return None if row is None else PoliceClient(**dict(row))
