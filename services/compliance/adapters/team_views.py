"""What the diversion team's work queue reads, straight from compliance's tables: referrals agencies have not
answered in time, people not contacted within their agency's service level, cases whose deadline is near, needs no
agency could take. No personal details: references, statuses and dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from schemas.calendar import working_day_due
from services.compliance.domain.referral_progress import OPEN
from services.compliance.domain.referral_work import Workflow


@dataclass(frozen=True)
class QueueRow:
    case_id: UUID
    police_reference: str
    agency_id: str | None
    needs: list[str]
    since: datetime | date
    """When it fell due (or falls due)."""


async def not_answered_in_time(db: asyncpg.Connection, now: datetime, *, limit: int = 100) -> list[QueueRow]:
    """Referrals still waiting for their agency's answer after the time it had to accept or decline."""
    rows = await db.fetch(
        "SELECT r.case_id, c.police_reference, r.agency_id, r.needs, r.respond_by AS since"
        " FROM referrals r JOIN cases c USING (case_id)"
        " WHERE r.status = 'issued' AND r.respond_by < $1 ORDER BY r.respond_by LIMIT $2",
        now,
        limit,
    )
    return [QueueRow(**dict(row)) for row in rows]


async def never_contacted(
    db: asyncpg.Connection, today: date, workflow: Workflow, *, limit: int = 100
) -> list[QueueRow]:
    """Referrals in an agency's hands whose person it has not reached within its first-contact service level
    (working days from issue, bank holidays of England and Wales skipped)."""
    rows = await db.fetch(
        "SELECT r.case_id, c.police_reference, r.agency_id, r.needs, r.issued_at"
        " FROM referrals r JOIN cases c USING (case_id) LEFT JOIN referral_work w USING (referral_id)"
        " WHERE r.status = ANY($1::text[]) AND w.first_contact_at IS NULL ORDER BY r.issued_at",
        sorted(status.value for status in OPEN),
    )
    late = []
    for row in rows:
        terms = workflow.of(row["agency_id"])
        due = working_day_due(row["issued_at"], terms.first_contact_within_working_days, workflow.bank_holidays)
        if due < today:
            late.append(QueueRow(row["case_id"], row["police_reference"], row["agency_id"], row["needs"], due))
    return late[:limit]


async def deadlines_within(db: asyncpg.Connection, today: date, until: date, *, limit: int = 100) -> list[QueueRow]:
    rows = await db.fetch(
        "SELECT case_id, police_reference, NULL AS agency_id, ARRAY[]::text[] AS needs, complete_by AS since"
        " FROM cases WHERE status = 'open' AND complete_by BETWEEN $1 AND $2 ORDER BY complete_by LIMIT $3",
        today,
        until,
        limit,
    )
    return [QueueRow(**dict(row)) for row in rows]


async def unplaced(db: asyncpg.Connection, *, limit: int = 100) -> list[QueueRow]:
    """Needs no agency could take, oldest first."""
    rows = await db.fetch(
        "SELECT r.case_id, c.police_reference, NULL AS agency_id, r.needs, c.decided_at AS since"
        " FROM referrals r JOIN cases c USING (case_id)"
        " WHERE r.status = 'unmatched' AND c.status = 'open' ORDER BY c.decided_at LIMIT $1",
        limit,
    )
    return [QueueRow(**dict(row)) for row in rows]


@dataclass(frozen=True)
class ReferralLine:
    referral_id: UUID
    agency_id: str | None
    needs: list[str]
    status: str
    issued_at: datetime | None
    explanation: str | None
    """The router's words: why this agency, why none, or who placed it by hand and why (None before it was kept)."""


async def referrals_of_case(db: asyncpg.Connection, case_id: UUID) -> list[ReferralLine]:
    rows = await db.fetch(
        "SELECT referral_id, agency_id, needs, status, issued_at, explanation FROM referrals WHERE case_id = $1"
        " ORDER BY issued_at NULLS LAST, referral_id",
        case_id,
    )
    return [ReferralLine(**dict(row)) for row in rows]
