"""What the gateway shows an agency of its own referrals — those issued to it (a referral queued for it and
cancelled before a place freed was never the agency's) — read straight from compliance's tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class AgencyReferral:
    referral_id: UUID
    case_id: UUID
    needs: list[str]
    delivery_mode: str
    status: str
    issued_at: datetime
    respond_by: datetime
    unacceptable_absences: int
    brief: dict
    onward_from: UUID | None


_COLUMNS = (
    "referral_id, case_id, needs, delivery_mode, status, issued_at, respond_by, unacceptable_absences, brief,"
    " onward_from"
)


async def referrals_of_agency(
    db: asyncpg.Connection | asyncpg.Pool, agency_id: str, *, limit: int, offset: int, statuses=None
) -> list[AgencyReferral]:
    """The agency's referrals, newest first; only those in `statuses`, when given."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM referrals WHERE agency_id = $1 AND issued_at IS NOT NULL"
        " AND ($4::text[] IS NULL OR status = ANY($4::text[]))"
        " ORDER BY issued_at DESC, referral_id LIMIT $2 OFFSET $3",
        agency_id,
        limit,
        offset,
        None if statuses is None else [s.value for s in statuses],
    )
    return [_referral(row) for row in rows]


async def referral_of_agency(db: asyncpg.Connection, referral_id: UUID, agency_id: str) -> AgencyReferral | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM referrals WHERE referral_id = $1 AND agency_id = $2 AND issued_at IS NOT NULL",
        referral_id,
        agency_id,
    )
    return None if row is None else _referral(row)


async def personal_details(db: asyncpg.Connection, referral_id: UUID) -> dict | None:
    raw = await db.fetchval("SELECT details FROM referral_personal_details WHERE referral_id = $1", referral_id)
    return None if raw is None else json.loads(raw)


async def updates(db: asyncpg.Connection, referral_id: UUID) -> list[dict]:
    rows = await db.fetch(
        "SELECT update_type, occurred_at, received_at, applied FROM referral_updates WHERE referral_id = $1"
        " ORDER BY id",
        referral_id,
    )
    return [dict(row) for row in rows]


def _referral(row: asyncpg.Record) -> AgencyReferral:
    return AgencyReferral(**{**dict(row), "brief": json.loads(row["brief"])})
