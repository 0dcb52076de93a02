"""A service's table of API clients (who may hold its keys), kept the same way by every service: a client
is a frozen dataclass whose fields are the table's columns; registering an id that exists changes nothing."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Generic, TypeVar

import asyncpg

from platform_plumbing.database_roles import checked_identifier

C = TypeVar("C")


class ClientTable(Generic[C]):
    def __init__(self, table: str, client: type[C]) -> None:
        self._table = checked_identifier(table)
        self._client = client
        self._columns = [checked_identifier(f.name) for f in dataclasses.fields(client)]

    async def add(self, connection: asyncpg.Connection, client: C, *, now: datetime) -> bool:
        """Register `client`; False (and nothing changed) if its id exists already."""
        placeholders = ", ".join(f"${n}" for n in range(1, len(self._columns) + 2))
        status = await connection.execute(
            f"INSERT INTO {self._table} ({', '.join(self._columns)}, created_at) VALUES ({placeholders})"
            " ON CONFLICT (client_id) DO NOTHING",
            *(getattr(client, column) for column in self._columns),
            now,
        )
        return status.endswith(" 1")

    async def find(self, connection: asyncpg.Connection | asyncpg.Pool, client_id: str) -> C | None:
        row = await connection.fetchrow(
            f"SELECT {', '.join(self._columns)} FROM {self._table} WHERE client_id = $1", client_id
        )
        return None if row is None else self._client(**dict(row))
