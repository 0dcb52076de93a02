"""The keyring: each case's data key, wrapped by the KEK (see `platform_plumbing.personal_data`), and the
key of each dead letter whose body is sealed (`platform_plumbing.sealed_letters`).

A schema of its own, set up by the administrator with the roles (`database_roles.provision_roles`),
because two services hold rights on it and neither owns the other: intake may only add a case's key (it
cannot read one back), compliance may read a case's key (to open fields for an agency) and delete it (an
erasure). Intake adds and reads its dead letters' keys (to open a replayed one); compliance may only
delete those, by the police reference they name (an erasure) or by age (retention). Deleting the row is
the erasure: no other copy of an unwrapped key is ever stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from platform_plumbing.pending_writes import PendingWrites

SCHEMA = "keyring"
TABLE = f"{SCHEMA}.data_keys"
LETTERS = f"{SCHEMA}.letter_keys"
DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {TABLE} (
    case_id    uuid PRIMARY KEY,
    wrapped    bytea       NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS {LETTERS} (
    key_id           uuid PRIMARY KEY,
    force_id         text,
    police_reference text,
    wrapped          bytea       NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS letter_keys_reference ON {LETTERS} (police_reference, force_id);
"""
RIGHTS = {
    "intake": {TABLE: "INSERT", LETTERS: "INSERT, SELECT"},
    "compliance": {TABLE: "SELECT, DELETE", LETTERS: "SELECT (key_id, force_id, police_reference, created_at), DELETE"},
}
"""service -> table -> what its runtime role may do there."""


def add(writes: PendingWrites, case_id: UUID, wrapped: bytes, *, now: datetime) -> None:
    """Keep a new case's wrapped key, with the transaction's other appended rows; a redelivered decision's
    second key is not kept (the first sealed everything already published)."""
    writes.add(
        TABLE,
        ("case_id", "wrapped", "created_at"),
        [(case_id, wrapped, now)],
        types=("uuid", "bytea", "timestamptz"),
    )


async def wrapped_key(db: asyncpg.Connection, case_id: UUID) -> bytes | None:
    """The case's wrapped key, or None once it was erased (or if its case never had personal data)."""
    return await db.fetchval(f"SELECT wrapped FROM {TABLE} WHERE case_id = $1", case_id)


async def destroy(db: asyncpg.Connection, case_ids: Sequence[UUID]) -> list[UUID]:
    """Delete these cases' keys; returns those this call deleted (a concurrent caller's are not repeated)."""
    rows = await db.fetch(f"DELETE FROM {TABLE} WHERE case_id = ANY($1::uuid[]) RETURNING case_id", list(case_ids))
    return [row["case_id"] for row in rows]


async def add_letter_key(
    db: asyncpg.Connection, key_id: UUID, wrapped: bytes, *, reference: tuple[str, str] | None, now: datetime
) -> None:
    """Keep a dead letter's wrapped key, with the (force, police reference) its body names, if it names one."""
    force_id, police_reference = reference or (None, None)
    await db.execute(
        f"INSERT INTO {LETTERS} (key_id, force_id, police_reference, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)",
        key_id,
        force_id,
        police_reference,
        wrapped,
        now,
    )


async def letter_key(db: asyncpg.Connection, key_id: UUID) -> bytes | None:
    return await db.fetchval(f"SELECT wrapped FROM {LETTERS} WHERE key_id = $1", key_id)


async def destroy_letter_keys(db: asyncpg.Connection, force_id: str, police_reference: str) -> int:
    """Delete the keys of the dead letters that name this police case; returns how many."""
    rows = await db.fetch(
        f"DELETE FROM {LETTERS} WHERE police_reference = $1 AND force_id = $2 RETURNING key_id",
        police_reference,
        force_id,
    )
    return len(rows)


async def expire_letter_keys(db: asyncpg.Connection, before: datetime) -> int:
    """Delete the keys of dead letters older than `before` (the topic no longer holds them); how many."""
    rows = await db.fetch(f"DELETE FROM {LETTERS} WHERE created_at < $1 RETURNING key_id", before)
    return len(rows)
