"""Who may call the router's HTTP API: the operations team's clients (a person, the dashboard, a script)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class OperationsClient:
    client_id: str
    name: str


async def add_client(connection: asyncpg.Connection, client: OperationsClient, *, now: datetime) -> bool:
    """Register `client`; False (and nothing changed) if its id exists already."""
    status = await connection.execute(
        "INSERT INTO operations_clients (client_id, name, created_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (client_id) DO NOTHING",
        client.client_id,
        client.name,
        now,
    )
    return status.endswith(" 1")


async def find_client(connection: asyncpg.Connection | asyncpg.Pool, client_id: str) -> OperationsClient | None:
    row = await connection.fetchrow("SELECT client_id, name FROM operations_clients WHERE client_id = $1", client_id)
    return None if row is None else OperationsClient(**dict(row))
