"""Cases in intake's schema: the case row, its personal details kept apart, assessments, history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class CaseRecord:
    case_id: UUID
    force_id: str
    police_reference: str
    subject_ref: str
    disposal_type: str
    status: str
    policy_version: str
    rule_outcomes: list[dict]
    youth_offending_team: bool
    decided_at: datetime
    complete_by: date | None
    deadline_extended: bool
    received_via: str


@dataclass(frozen=True)
class HistoryEntry:
    what: str
    detail: str
    occurred_at: datetime


_COLUMNS = ", ".join(CaseRecord.__dataclass_fields__)


class CaseRepository:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def add(self, case: CaseRecord, *, now: datetime) -> bool:
        """Insert the case; False if the force already has a case with this police reference."""
        inserted = await self._db.fetchval(
            f"INSERT INTO cases ({_COLUMNS}, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)"
            " ON CONFLICT (force_id, police_reference) DO NOTHING RETURNING true",
            case.case_id,
            case.force_id,
            case.police_reference,
            case.subject_ref,
            case.disposal_type,
            case.status,
            case.policy_version,
            json.dumps(case.rule_outcomes),
            case.youth_offending_team,
            case.decided_at,
            case.complete_by,
            case.deadline_extended,
            case.received_via,
            now,
        )
        return bool(inserted)

    async def by_reference(
        self, force_id: str, police_reference: str, *, for_update: bool = False
    ) -> CaseRecord | None:
        row = await self._db.fetchrow(
            f"SELECT {_COLUMNS} FROM cases WHERE force_id = $1 AND police_reference = $2"
            + (" FOR UPDATE" if for_update else ""),
            force_id,
            police_reference,
        )
        return _case(row)

    async def by_idempotency_key(self, client_id: str, key: str) -> CaseRecord | None:
        row = await self._db.fetchrow(
            f"SELECT {', '.join('c.' + c for c in CaseRecord.__dataclass_fields__)} FROM idempotency_keys k"
            " JOIN cases c USING (case_id) WHERE k.client_id = $1 AND k.key = $2",
            client_id,
            key,
        )
        return _case(row)

    async def remember_idempotency_key(self, client_id: str, key: str, case_id: UUID, *, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO idempotency_keys (client_id, key, case_id, created_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING",
            client_id,
            key,
            case_id,
            now,
        )

    async def save_personal_details(self, case_id: UUID, details: dict) -> None:
        await self._db.execute(
            "INSERT INTO case_personal_details (case_id, details) VALUES ($1, $2)", case_id, json.dumps(details)
        )

    async def set_status(self, case_id: UUID, status: str, *, now: datetime) -> None:
        await self._db.execute("UPDATE cases SET status = $2, updated_at = $3 WHERE case_id = $1", case_id, status, now)

    async def extend_deadline(self, case_id: UUID, complete_by: date, *, now: datetime) -> None:
        await self._db.execute(
            "UPDATE cases SET complete_by = $2, deadline_extended = true, updated_at = $3 WHERE case_id = $1",
            case_id,
            complete_by,
            now,
        )

    async def add_assessment(self, case_id: UUID, needs: list[dict], *, assessed_at: datetime, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO needs_assessments (case_id, needs, assessed_at, recorded_at) VALUES ($1, $2, $3, $4)",
            case_id,
            json.dumps(needs),
            assessed_at,
            now,
        )

    async def latest_needs(self, case_id: UUID) -> list[dict] | None:
        needs = await self._db.fetchval(
            "SELECT needs FROM needs_assessments WHERE case_id = $1 ORDER BY id DESC LIMIT 1", case_id
        )
        return None if needs is None else json.loads(needs)

    async def record(self, case_id: UUID, what: str, detail: str, *, at: datetime) -> None:
        await self._db.execute(
            "INSERT INTO case_history (case_id, what, detail, occurred_at) VALUES ($1, $2, $3, $4)",
            case_id,
            what,
            detail,
            at,
        )

    async def history(self, case_id: UUID) -> list[HistoryEntry]:
        rows = await self._db.fetch(
            "SELECT what, detail, occurred_at FROM case_history WHERE case_id = $1 ORDER BY id", case_id
        )
        return [HistoryEntry(**dict(row)) for row in rows]


def _case(row: asyncpg.Record | None) -> CaseRecord | None:
    if row is None:
        return None
    values = dict(row)
    values["rule_outcomes"] = json.loads(values["rule_outcomes"])
    return CaseRecord(**values)
