"""What the operations team reads from the router: agencies with their load, and work waiting for a place."""

from __future__ import annotations

import json

import asyncpg


async def agencies_with_load(connection: asyncpg.Connection | asyncpg.Pool) -> list[dict]:
    """Each active agency with its capacity, current active referrals and queue, for operations."""
    rows = await connection.fetch(
        "SELECT a.agency_id, a.name, a.capacity,"
        " (SELECT count(*) FROM referrals r WHERE r.agency_id = a.agency_id"
        "   AND r.status IN ('issued', 'accepted', 'in_progress')) AS active,"
        " (SELECT count(*) FROM referrals r WHERE r.agency_id = a.agency_id AND r.status = 'queued') AS queued"
        " FROM agencies a WHERE a.active ORDER BY a.agency_id"
    )
    return [dict(row) for row in rows]


async def unplaced_needs(connection: asyncpg.Connection | asyncpg.Pool, *, limit: int = 200) -> list[dict]:
    """Needs waiting for a place — no agency could take them, or one is full — newest first (no personal data)."""
    rows = await connection.fetch(
        "SELECT case_id, referral_id, agency_id, needs, status, explanation, created_at FROM referrals"
        " WHERE status IN ('unmatched', 'queued') ORDER BY created_at DESC, referral_id LIMIT $1",
        limit,
    )
    return [{**dict(row), "needs": [n["category"] for n in json.loads(row["needs"])]} for row in rows]
