"""The append-only audit log of every consultation and disclosure of a referral's personal data.

Written in the same transaction as the read it records: a read whose audit entry could not be
written does not return the data. The table refuses updates and deletes (PostgreSQL rules).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg


async def record_access(
    connection: asyncpg.Connection,
    *,
    actor: str,
    action: str,
    referral_id: UUID | None,
    case_id: UUID | None,
    fields: list[str],
    purpose: str,
    at: datetime,
) -> None:
    await connection.execute(
        "INSERT INTO audit_log (at, actor, action, referral_id, case_id, fields, purpose)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        at,
        actor,
        action,
        referral_id,
        case_id,
        fields,
        purpose,
    )


async def entries(connection: asyncpg.Connection | asyncpg.Pool, referral_id: UUID) -> list[dict]:
    rows = await connection.fetch(
        "SELECT at, actor, action, fields, purpose FROM audit_log WHERE referral_id = $1 ORDER BY id", referral_id
    )
    return [dict(row) for row in rows]
