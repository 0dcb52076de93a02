"""What the operations team reads from the router: agencies with their load, and needs nobody could take."""

from __future__ import annotations

import json

import asyncpg


async def agencies_with_load(connection: asyncpg.Connection | asyncpg.Pool) -> list[dict]:
    """Each active agency with its capacity and current active referrals, for operations."""
    rows = await connection.fetch(
        "SELECT a.agency_id, a.name, a.capacity,"
        " (SELECT count(*) FROM referrals r WHERE r.agency_id = a.agency_id"
        "   AND r.status IN ('issued', 'accepted', 'in_progress')) AS active,"
        " (SELECT count(*) FROM referrals r WHERE r.agency_id = a.agency_id AND r.status = 'queued') AS queued"
        " FROM agencies a WHERE a.active ORDER BY a.agency_id"
    )
    return [dict(row) for row in rows]


async def unplaced_needs(connection: asyncpg.Connection | asyncpg.Pool, *, limit: int = 200) -> list[dict]:
    """The most recent needs the router could not place, with the reason (no personal data)."""
    rows = await connection.fetch(
        "SELECT case_id, needs, reason, explanation, created_at FROM unmatched_needs ORDER BY id DESC LIMIT $1", limit
    )
    return [{**dict(row), "needs": [n["category"] for n in json.loads(row["needs"])]} for row in rows]
