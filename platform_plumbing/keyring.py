"""The keyring: each case's data key, wrapped by the KEK (see `platform_plumbing.personal_data`).

A schema of its own, set up by the administrator with the roles (`database_roles.provision_roles`),
because two services hold rights on it and neither owns the other: intake may only add a key (it
cannot read one back), compliance may read a key (to open fields for an agency) and delete it (an
erasure). Deleting the row is the erasure: no other copy of the unwrapped key is ever stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

SCHEMA = "keyring"
TABLE = f"{SCHEMA}.data_keys"
DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {TABLE} (
    case_id    uuid PRIMARY KEY,
    wrapped    bytea       NOT NULL,
    created_at timestamptz NOT NULL
);
"""
COLLECTOR_RIGHTS = "INSERT"
GATEWAY_RIGHTS = "SELECT, DELETE"


async def add(db: asyncpg.Connection, case_id: UUID, wrapped: bytes, *, now: datetime) -> None:
    """Keep a new case's wrapped key; a redelivered decision's second key is not kept (the first sealed
    everything already published)."""
    await db.execute(
        f"INSERT INTO {TABLE} (case_id, wrapped, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        case_id,
        wrapped,
        now,
    )


async def wrapped_key(db: asyncpg.Connection, case_id: UUID) -> bytes | None:
    """The case's wrapped key, or None once it was erased (or if its case never had personal data)."""
    return await db.fetchval(f"SELECT wrapped FROM {TABLE} WHERE case_id = $1", case_id)


async def destroy(db: asyncpg.Connection, case_ids: Sequence[UUID]) -> list[UUID]:
    """Delete these cases' keys; returns those this call deleted (a concurrent caller's are not repeated)."""
    rows = await db.fetch(f"DELETE FROM {TABLE} WHERE case_id = ANY($1::uuid[]) RETURNING case_id", list(case_ids))
    return [row["case_id"] for row in rows]
