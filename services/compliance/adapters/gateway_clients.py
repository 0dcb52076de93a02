"""Who calls the gateway: a partner agency (sees only its own referrals) or the operations team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class GatewayClient:
    client_id: str
    role: str
    agency_id: str | None
    name: str


async def add_client(connection: asyncpg.Connection, client: GatewayClient, *, now: datetime) -> bool:
    """Register `client`; False (and nothing changed) if its id exists already."""
    status = await connection.execute(
        "INSERT INTO gateway_clients (client_id, role, agency_id, name, created_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (client_id) DO NOTHING",
        client.client_id,
        client.role,
        client.agency_id,
        client.name,
        now,
    )
    return status.endswith(" 1")


async def find_client(connection: asyncpg.Connection | asyncpg.Pool, client_id: str) -> GatewayClient | None:
    row = await connection.fetchrow(
        "SELECT client_id, role, agency_id, name FROM gateway_clients WHERE client_id = $1", client_id
    )
    return None if row is None else GatewayClient(**dict(row))
