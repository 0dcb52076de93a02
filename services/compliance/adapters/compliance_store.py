"""Compliance's state in its own schema: cases with deadlines, their conditions and referrals."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from schemas.vocabulary import DisposalType
from services.compliance.domain.referral_progress import Progress, Status


@dataclass(frozen=True)
class TrackedCase:
    case_id: UUID
    subject_ref: str
    force_id: str
    police_reference: str
    disposal_type: DisposalType
    offence_category: str
    domestic_abuse: bool
    decided_at: datetime
    complete_by: date
    status: str


@dataclass(frozen=True)
class TrackedReferral:
    referral_id: UUID
    case_id: UUID
    agency_id: str
    needs: list[str]
    delivery_mode: str
    progress: Progress
    issued_at: datetime
    respond_by: datetime


_CASE_COLUMNS = ", ".join(TrackedCase.__dataclass_fields__)
_REFERRAL_COLUMNS = (
    "referral_id, case_id, agency_id, needs, delivery_mode, status, unacceptable_absences, issued_at, respond_by"
)
_AWAITED = "EXISTS (SELECT 1 FROM held_events WHERE awaiting = $1)"


@dataclass(frozen=True)
class Recorded:
    added: bool
    """False when it was known already (a redelivery or a replay)."""
    awaited: bool
    """Events are held waiting for it (see `entrypoints/held_events.py`)."""


class ComplianceStore:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def add_case(self, case: TrackedCase, *, now: datetime) -> Recorded:
        """Add the case unless it is known; also says whether events are held waiting for it (one round trip)."""
        row = await self._db.fetchrow(
            f"WITH added AS (INSERT INTO cases ({_CASE_COLUMNS}, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (case_id) DO NOTHING RETURNING true)"
            f" SELECT EXISTS (SELECT 1 FROM added) AS added, {_AWAITED} AS awaited",
            case.case_id,
            case.subject_ref,
            case.force_id,
            case.police_reference,
            case.disposal_type.value,
            case.offence_category,
            case.domestic_abuse,
            case.decided_at,
            case.complete_by,
            case.status,
            now,
        )
        return Recorded(row["added"], row["awaited"])

    async def case(self, case_id: UUID, *, for_update: bool = False) -> TrackedCase | None:
        row = await self._db.fetchrow(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = $1" + (" FOR UPDATE" if for_update else ""), case_id
        )
        return (
            None if row is None else TrackedCase(**{**dict(row), "disposal_type": DisposalType(row["disposal_type"])})
        )

    async def close_case(self, case_id: UUID, status: str, reason: str | None, *, at: datetime) -> None:
        await self._db.execute(
            "UPDATE cases SET status = $2, outcome_reason = $3, outcome_at = $4, updated_at = $4 WHERE case_id = $1",
            case_id,
            status,
            reason,
            at,
        )

    async def set_deadline(self, case_id: UUID, complete_by: date, *, now: datetime) -> None:
        await self._db.execute(
            "UPDATE cases SET complete_by = $2, updated_at = $3 WHERE case_id = $1", case_id, complete_by, now
        )

    async def overdue_cases(self, today: date, *, limit: int) -> list[TrackedCase]:
        """Open cases whose deadline has passed; rows other replicas hold are skipped."""
        rows = await self._db.fetch(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE status = 'open' AND complete_by < $1 ORDER BY complete_by"
            " LIMIT $2 FOR UPDATE SKIP LOCKED",
            today,
            limit,
        )
        return [TrackedCase(**{**dict(r), "disposal_type": DisposalType(r["disposal_type"])}) for r in rows]

    async def add_conditions(self, case_id: UUID, conditions: list[tuple[UUID, str, str, str | None]]) -> None:
        await self._db.executemany(
            "INSERT INTO conditions (condition_id, case_id, kind, description, addresses_need)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            [(cid, case_id, kind, description, need) for cid, kind, description, need in conditions],
        )

    async def open_conditions(self, case_id: UUID, needs: list[str] | None = None) -> list[UUID]:
        """Open conditions of the case — only those addressing one of `needs`, when given."""
        rows = await self._db.fetch(
            "SELECT condition_id FROM conditions WHERE case_id = $1 AND status = 'open'"
            " AND ($2::text[] IS NULL OR addresses_need = ANY($2::text[])) ORDER BY condition_id",
            case_id,
            needs,
        )
        return [row["condition_id"] for row in rows]

    async def set_condition_status(self, condition_ids: list[UUID], status: str) -> None:
        await self._db.execute(
            "UPDATE conditions SET status = $2 WHERE condition_id = ANY($1::uuid[])", condition_ids, status
        )

    async def add_referral(self, referral: TrackedReferral, personal: dict | None, *, now: datetime) -> Recorded | None:
        """Add the referral unless it is known; None when its case is not (one round trip, as for cases)."""
        row = await self._db.fetchrow(
            "WITH known AS (SELECT EXISTS (SELECT 1 FROM cases WHERE case_id = $2) AS case_known),"
            f" added AS (INSERT INTO referrals ({_REFERRAL_COLUMNS}, updated_at)"
            " SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM known WHERE case_known"
            " ON CONFLICT (referral_id) DO NOTHING RETURNING true)"
            f" SELECT (SELECT case_known FROM known), EXISTS (SELECT 1 FROM added) AS added, {_AWAITED} AS awaited",
            referral.referral_id,
            referral.case_id,
            referral.agency_id,
            referral.needs,
            referral.delivery_mode,
            referral.progress.status.value,
            referral.progress.unacceptable_absences,
            referral.issued_at,
            referral.respond_by,
            now,
        )
        if not row["case_known"]:
            return None
        if row["added"] and personal is not None:
            await self._db.execute(
                "INSERT INTO referral_personal_details (referral_id, details) VALUES ($1, $2)",
                referral.referral_id,
                json.dumps(personal),
            )
        return Recorded(row["added"], row["awaited"])

    async def referral(self, referral_id: UUID, *, for_update: bool = False) -> TrackedReferral | None:
        row = await self._db.fetchrow(
            f"SELECT {_REFERRAL_COLUMNS} FROM referrals WHERE referral_id = $1" + (" FOR UPDATE" if for_update else ""),
            referral_id,
        )
        return _referral(row)

    async def referrals_of_case(self, case_id: UUID) -> list[TrackedReferral]:
        rows = await self._db.fetch(f"SELECT {_REFERRAL_COLUMNS} FROM referrals WHERE case_id = $1", case_id)
        return [_referral(row) for row in rows]

    async def referrals_of_agency(self, agency_id: str, *, limit: int, offset: int) -> list[TrackedReferral]:
        rows = await self._db.fetch(
            f"SELECT {_REFERRAL_COLUMNS} FROM referrals WHERE agency_id = $1 ORDER BY issued_at DESC, referral_id"
            " LIMIT $2 OFFSET $3",
            agency_id,
            limit,
            offset,
        )
        return [_referral(row) for row in rows]

    async def save_progress(self, referral_id: UUID, progress: Progress, *, now: datetime) -> None:
        await self._db.execute(
            "UPDATE referrals SET status = $2, unacceptable_absences = $3, updated_at = $4 WHERE referral_id = $1",
            referral_id,
            progress.status.value,
            progress.unacceptable_absences,
            now,
        )

    async def personal_details(self, referral_id: UUID) -> dict | None:
        raw = await self._db.fetchval(
            "SELECT details FROM referral_personal_details WHERE referral_id = $1", referral_id
        )
        return None if raw is None else json.loads(raw)

    async def record_update(
        self,
        referral_id: UUID,
        agency_id: str,
        update_type: str,
        occurred_at: datetime,
        *,
        applied: bool,
        detail: dict,
        received_via: str,
        now: datetime,
    ) -> None:
        await self._db.execute(
            "INSERT INTO referral_updates (referral_id, agency_id, update_type, occurred_at, received_at, applied,"
            " detail, received_via) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            referral_id,
            agency_id,
            update_type,
            occurred_at,
            now,
            applied,
            json.dumps(detail),
            received_via,
        )

    async def miss_recorded(self, referral_id: UUID, appointment_id: UUID) -> bool:
        """Whether an absence from this appointment was already reported."""
        return await self._db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM referral_updates WHERE referral_id = $1 AND update_type = 'miss'"
            " AND detail->>'appointment_id' = $2)",
            referral_id,
            str(appointment_id),
        )

    async def updates(self, referral_id: UUID) -> list[dict]:
        rows = await self._db.fetch(
            "SELECT update_type, occurred_at, received_at, applied FROM referral_updates WHERE referral_id = $1"
            " ORDER BY id",
            referral_id,
        )
        return [dict(row) for row in rows]

    async def add_reoffending_signal(self, subject_ref: str, named_on: date, domestic_abuse: bool) -> None:
        await self._db.execute(
            "INSERT INTO reoffending_signals (subject_ref, named_on, domestic_abuse) VALUES ($1, $2, $3)",
            subject_ref,
            named_on,
            domestic_abuse,
        )


def _referral(row: asyncpg.Record | None) -> TrackedReferral | None:
    if row is None:
        return None
    values = dict(row)
    progress = Progress(Status(values.pop("status")), values.pop("unacceptable_absences"))
    return TrackedReferral(progress=progress, **values)
