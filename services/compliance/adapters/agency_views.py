"""What the gateway shows an agency of its own referrals — those issued to it (a referral queued for it and
cancelled before a place freed was never the agency's) — read straight from compliance's tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
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


@dataclass(frozen=True)
class WorklistRow:
    """A referral as the agency portal's list shows it: no personal details."""

    referral_id: UUID
    needs: list[str]
    status: str
    issued_at: datetime
    respond_by: datetime
    complete_by: date
    caseworker: str | None
    first_contact_at: datetime | None

    @property
    def reference(self) -> str:
        """What a caseworker reads out or searches by: the referral id's first eight characters."""
        return str(self.referral_id)[:8].upper()


async def worklist(
    db: asyncpg.Connection,
    agency_id: str,
    *,
    statuses: list[str] | None,
    caseworker: str | None,
    reference: str | None,
    complete_by: date | None,
    limit: int,
) -> list[WorklistRow]:
    """The agency's referrals for its portal, the case's deadline nearest first: only `statuses`, the caseworker's,
    those whose reference starts so, those to complete by `complete_by`, when given."""
    rows = await db.fetch(
        "SELECT r.referral_id, r.needs, r.status, r.issued_at, r.respond_by, c.complete_by, w.caseworker,"
        " w.first_contact_at"
        " FROM referrals r JOIN cases c USING (case_id) LEFT JOIN referral_work w USING (referral_id)"
        " WHERE r.agency_id = $1 AND r.issued_at IS NOT NULL"
        " AND ($2::text[] IS NULL OR r.status = ANY($2::text[]))"
        " AND ($3::text IS NULL OR w.caseworker = $3)"
        " AND ($4::text IS NULL OR r.referral_id::text LIKE $4 || '%')"
        " AND ($5::date IS NULL OR c.complete_by <= $5)"
        " ORDER BY c.complete_by, r.issued_at, r.referral_id LIMIT $6",
        agency_id,
        statuses,
        caseworker,
        reference.lower() if reference else None,
        complete_by,
        limit,
    )
    return [WorklistRow(**dict(row)) for row in rows]


async def caseworkers(db: asyncpg.Connection, agency_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT DISTINCT caseworker FROM referral_work WHERE agency_id = $1 AND caseworker IS NOT NULL ORDER BY 1",
        agency_id,
    )
    return [row["caseworker"] for row in rows]


@dataclass(frozen=True)
class Appointment:
    appointment_id: UUID
    scheduled_for: datetime
    purpose: str


async def appointments(db: asyncpg.Connection, referral_id: UUID) -> list[Appointment]:
    """The referral's appointments as its agency scheduled them, soonest first."""
    rows = await db.fetch(
        "SELECT DISTINCT ON (detail->>'appointment_id') detail->>'appointment_id' AS appointment_id,"
        " (detail->>'scheduled_for')::timestamptz AS scheduled_for, detail->>'purpose' AS purpose"
        " FROM referral_updates WHERE referral_id = $1 AND applied AND detail ? 'scheduled_for'"
        " ORDER BY detail->>'appointment_id', id",
        referral_id,
    )
    found = [Appointment(UUID(row["appointment_id"]), row["scheduled_for"], row["purpose"]) for row in rows]
    return sorted(found, key=lambda appointment: appointment.scheduled_for)
