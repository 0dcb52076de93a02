"""Cases in intake's schema: the case row, assessments, history, the case's wrapped data key (in the keyring), and what
intake follows of compliance's decisions (the case's status, each condition's and referral's).

A consumer batch looks up every police reference its decisions name in one query (`look_up`); a decision
then learns from that whether its case exists already without a query of its own (`KnownReferences`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

import asyncpg

from platform_plumbing import keyring
from platform_plumbing.pending_writes import PendingWrites
from schemas.events import CaseCondition


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
    offence_category: str | None = None
    reason: str | None = None
    next_step: str | None = None
    sequence: int = 0


@dataclass(frozen=True)
class FollowedCondition:
    terms: CaseCondition
    status: str
    reason: str | None
    amount_paid_pence: int
    hours_done: int


@dataclass(frozen=True)
class FollowedReferral:
    referral_id: UUID
    agency_id: str | None
    needs: list[str]
    status: str
    reason: str | None
    updated_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    what: str
    detail: str
    occurred_at: datetime


_COLUMNS = ", ".join(CaseRecord.__dataclass_fields__)
Reference = tuple[str, str]
"""(force id, police reference): what names a case to the police."""


@dataclass
class KnownReferences:
    """What one transaction knows of police references: those looked up, and the case of each that has one
    (as it was at the look-up, or as this transaction opened it)."""

    looked_up: set[Reference] = field(default_factory=set)
    cases: dict[Reference, CaseRecord] = field(default_factory=dict)


async def look_up(connection: asyncpg.Connection, references: set[Reference]) -> KnownReferences:
    """The cases of `references`, in one query."""
    rows = (
        await connection.fetch(
            f"SELECT {_COLUMNS} FROM cases WHERE (force_id, police_reference) IN"
            " (SELECT * FROM unnest($1::text[], $2::text[]))",
            [force_id for force_id, _ in references],
            [reference for _, reference in references],
        )
        if references
        else []
    )
    cases = [_case(row) for row in rows]
    return KnownReferences(set(references), {(case.force_id, case.police_reference): case for case in cases})


class CaseRepository:
    def __init__(
        self, connection: asyncpg.Connection, writes: PendingWrites, known: KnownReferences | None = None
    ) -> None:
        """`writes`: where the appended rows (history, assessments, conditions, keys) are queued until the
        transaction flushes; `known`: the references its batch looked up."""
        self._db = connection
        self._writes = writes
        self._known = KnownReferences() if known is None else known

    async def add(self, case: CaseRecord, *, now: datetime) -> bool:
        """Insert the case; False if the force already has a case with this police reference."""
        inserted = await self._db.fetchval(
            f"INSERT INTO cases ({_COLUMNS}, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)"
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
            case.offence_category,
            case.reason,
            case.next_step,
            case.sequence,
            now,
        )
        if inserted:
            self._known.looked_up.add((case.force_id, case.police_reference))
            self._known.cases[case.force_id, case.police_reference] = case
        return bool(inserted)

    async def by_reference(
        self, force_id: str, police_reference: str, *, for_update: bool = False
    ) -> CaseRecord | None:
        """The case the force knows by this reference; without `for_update`, as the batch's look-up found it
        (or this transaction opened it) where it was looked up."""
        if not for_update and (force_id, police_reference) in self._known.looked_up:
            return self._known.cases.get((force_id, police_reference))
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

    def keep_data_key(self, case_id: UUID, wrapped: bytes, *, now: datetime) -> None:
        """The case's data key, wrapped, into the keyring: intake keeps no personal data of its own, sealed
        or not (it never reads it again); the key is what lets compliance open the sealed fields later."""
        keyring.add(self._writes, case_id, wrapped, now=now)

    async def set_deadline(self, case_id: UUID, complete_by: date, *, extended: bool, now: datetime) -> None:
        await self._db.execute(
            "UPDATE cases SET complete_by = $2, deadline_extended = deadline_extended OR $3, updated_at = $4"
            " WHERE case_id = $1",
            case_id,
            complete_by,
            extended,
            now,
        )

    async def follow_case(
        self, case_id: UUID, status: str, reason: str | None, next_step: str | None, sequence: int, *, now: datetime
    ) -> bool:
        """Apply compliance's change to the case if it is newer than the last one applied."""
        updated = await self._db.execute(
            "UPDATE cases SET status = $2, reason = $3, next_step = $4, sequence = $5, updated_at = $6"
            " WHERE case_id = $1 AND sequence < $5",
            case_id,
            status,
            reason,
            next_step,
            sequence,
            now,
        )
        return updated.endswith(" 1")

    def add_conditions(self, case_id: UUID, conditions: list[CaseCondition], *, now: datetime) -> None:
        """Queued with the transaction's appended rows: a condition's id is new, and its status changes only
        when compliance reports on it, in a later transaction."""
        self._writes.add(
            "case_conditions",
            ("condition_id", "case_id", "terms", "added_at", "position"),
            [(c.condition_id, case_id, c.model_dump_json(), now, n) for n, c in enumerate(conditions)],
        )

    async def conditions(self, case_id: UUID) -> list[FollowedCondition]:
        if self._writes.pending("case_conditions"):  # a case opened earlier in this batch: write them first
            await self._writes.flush(self._db)
        rows = await self._db.fetch(
            "SELECT terms, status, reason, amount_paid_pence, hours_done FROM case_conditions WHERE case_id = $1"
            " ORDER BY added_at, position",
            case_id,
        )
        return [
            FollowedCondition(**{**dict(row), "terms": CaseCondition.model_validate_json(row["terms"])}) for row in rows
        ]

    async def follow_condition(
        self, condition_id: UUID, status: str, reason: str | None, paid: int, hours: int, sequence: int
    ) -> bool:
        if self._writes.pending("case_conditions"):
            await self._writes.flush(self._db)
        updated = await self._db.execute(
            "UPDATE case_conditions SET status = $2, reason = $3, amount_paid_pence = $4, hours_done = $5,"
            " sequence = $6 WHERE condition_id = $1 AND sequence < $6",
            condition_id,
            status,
            reason,
            paid,
            hours,
            sequence,
        )
        return updated.endswith(" 1")

    async def follow_referral(self, case_id: UUID, referral: FollowedReferral, sequence: int) -> bool:
        updated = await self._db.fetchval(
            "INSERT INTO case_referrals AS r (referral_id, case_id, agency_id, needs, status, reason, sequence,"
            " updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM cases WHERE case_id = $2)"
            " ON CONFLICT (referral_id) DO UPDATE SET agency_id = EXCLUDED.agency_id, status = EXCLUDED.status,"
            " reason = EXCLUDED.reason, sequence = EXCLUDED.sequence, updated_at = EXCLUDED.updated_at"
            " WHERE r.sequence < EXCLUDED.sequence RETURNING true",
            referral.referral_id,
            case_id,
            referral.agency_id,
            referral.needs,
            referral.status,
            referral.reason,
            sequence,
            referral.updated_at,
        )
        return bool(updated)

    async def referrals(self, case_id: UUID) -> list[FollowedReferral]:
        rows = await self._db.fetch(
            "SELECT referral_id, agency_id, needs, status, reason, updated_at FROM case_referrals WHERE case_id = $1"
            " ORDER BY updated_at, referral_id",
            case_id,
        )
        return [FollowedReferral(**dict(row)) for row in rows]

    async def record_breach_decision(
        self, case_id: UUID, breach_sequence: int, decision: dict, *, now: datetime
    ) -> bool:
        """Record the police's decision on this breach; False when one was recorded already."""
        recorded = await self._db.fetchval(
            "INSERT INTO breach_decisions (case_id, breach_sequence, decision, officer, reason, decided_at,"
            " recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING true",
            case_id,
            breach_sequence,
            decision["decision"],
            decision["officer"],
            decision["reason"],
            decision["decided_at"],
            now,
        )
        return bool(recorded)

    def add_assessment(self, case_id: UUID, needs: list[dict], *, assessed_at: datetime, now: datetime) -> None:
        self._writes.add(
            "needs_assessments",
            ("case_id", "needs", "assessed_at", "recorded_at"),
            [(case_id, json.dumps(needs), assessed_at, now)],
        )

    async def latest_needs(self, case_id: UUID) -> list[dict] | None:
        needs = await self._db.fetchval(
            "SELECT needs FROM needs_assessments WHERE case_id = $1 ORDER BY id DESC LIMIT 1", case_id
        )
        return None if needs is None else json.loads(needs)

    def record(self, case_id: UUID, what: str, detail: str, *, at: datetime) -> None:
        self._writes.add("case_history", ("case_id", "what", "detail", "occurred_at"), [(case_id, what, detail, at)])

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
