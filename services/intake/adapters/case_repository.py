"""Cases in intake's schema: the case row, assessments, history, the case's wrapped data key (in the keyring), and what
intake follows of compliance's decisions (the case's status, each condition's and referral's).

Within a consumer batch the repository works on the batch's `IntakeBatch` (see `intake_batch`)."""

from __future__ import annotations

import json
from datetime import date, datetime
from uuid import UUID

import asyncpg

from platform_plumbing import keyring
from platform_plumbing.pending_writes import PendingWrites, json_rows
from schemas.events import CaseCondition
from services.intake.adapters.intake_batch import ADD_CASES, CASE_COLUMNS, IntakeBatch, case_of
from services.intake.domain.cases import CaseRecord, FollowedCondition, FollowedReferral, HistoryEntry


class CaseRepository:
    def __init__(self, connection: asyncpg.Connection, writes: PendingWrites, batch: IntakeBatch | None = None) -> None:
        """`writes`: where the appended rows (history, assessments, conditions, keys) are queued until the
        transaction flushes; `batch`: what its consumer batch loaded and has not written yet."""
        self._db = connection
        self._writes = writes
        self._batch = IntakeBatch() if batch is None else batch

    async def _written(self) -> None:
        """Before reading what this transaction may have changed: write what is pending, so the database is
        whole."""
        if len(self._writes):
            await self._writes.flush(self._db)

    async def add(self, case: CaseRecord, *, now: datetime) -> bool:
        """Insert the case; False if the force already has a case with this police reference. A reference the
        batch looked up is decided in memory and the case written at the flush (see `intake_batch`)."""
        reference = (case.force_id, case.police_reference)
        if reference in self._batch.looked_up:
            if reference in self._batch.cases:
                return False
            self._will_write()
            self._batch.open(case, now)
            return True
        inserted = await self._db.fetchval(ADD_CASES, json_rows([{**vars(case), "at": now}]))
        if inserted:
            self._batch.looked_up.add((case.force_id, case.police_reference))
            self._batch.cases[case.force_id, case.police_reference] = case
        return bool(inserted)

    async def by_reference(
        self, force_id: str, police_reference: str, *, for_update: bool = False
    ) -> CaseRecord | None:
        """The case the force knows by this reference; without `for_update`, as the batch's look-up found it
        (or this transaction opened it) where it was looked up."""
        if not for_update and (force_id, police_reference) in self._batch.looked_up:
            return self._batch.cases.get((force_id, police_reference))
        await self._written()
        row = await self._db.fetchrow(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE force_id = $1 AND police_reference = $2"
            + (" FOR UPDATE" if for_update else ""),
            force_id,
            police_reference,
        )
        return _case(row)

    async def by_idempotency_key(self, client_id: str, key: str) -> CaseRecord | None:
        await self._written()
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
        looked_up, held = self._batch.sequence("case", case_id)
        if looked_up:
            if held is None or sequence <= held:
                return False
            row = {"case_id": case_id, "status": status, "reason": reason, "next_step": next_step}
            self._follow("case", case_id, {**row, "sequence": sequence, "at": now})
            return True
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
        await self._written()
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
        looked_up, held = self._batch.sequence("condition", condition_id)
        if looked_up:
            if held is None or sequence <= held:
                return False
            row = {"condition_id": condition_id, "status": status, "reason": reason, "paid": paid, "hours": hours}
            self._follow("condition", condition_id, {**row, "sequence": sequence})
            return True
        await self._written()
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
        """Apply compliance's change to the referral if the case is held here and the change is newer."""
        case_looked_up, case_held = self._batch.sequence("case", case_id)
        looked_up, held = self._batch.sequence("referral", referral.referral_id)
        if case_looked_up and looked_up:
            if case_held is None or (held is not None and sequence <= held):
                return False
            row = {**vars(referral), "case_id": case_id, "sequence": sequence}
            self._follow("referral", referral.referral_id, row)
            return True
        await self._written()
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

    def _follow(self, kind: str, entity_id: UUID, row: dict) -> None:
        self._will_write()
        self._batch.follow(kind, entity_id, row)

    def _will_write(self) -> None:
        self._writes.before_flush(self._batch.write)

    async def referrals(self, case_id: UUID) -> list[FollowedReferral]:
        await self._written()
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
            " person_consented_to_variation, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT DO NOTHING RETURNING true",
            case_id,
            breach_sequence,
            decision["decision"],
            decision["officer"],
            decision["reason"],
            decision["decided_at"],
            decision["person_consented_to_variation"],
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
        await self._written()
        needs = await self._db.fetchval(
            "SELECT needs FROM needs_assessments WHERE case_id = $1 ORDER BY id DESC LIMIT 1", case_id
        )
        return None if needs is None else json.loads(needs)

    async def follow_assessment(
        self, case_id: UUID, referral_id: UUID, agency_id: str, version: int, needs: list[dict], assessed_at: datetime
    ) -> bool:
        """Keep a programme's assessment, for a case held here, unless a later version is held; say whether."""
        await self._written()
        kept = await self._db.fetchval(
            "INSERT INTO programme_assessments AS a (referral_id, case_id, agency_id, version, needs, assessed_at)"
            " SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM cases WHERE case_id = $2)"
            " ON CONFLICT (referral_id) DO UPDATE SET version = EXCLUDED.version, needs = EXCLUDED.needs,"
            " assessed_at = EXCLUDED.assessed_at WHERE a.version < EXCLUDED.version RETURNING true",
            referral_id,
            case_id,
            agency_id,
            version,
            json.dumps(needs),
            assessed_at,
        )
        return bool(kept)

    async def programme_assessments(self, case_id: UUID) -> list[dict]:
        await self._written()
        rows = await self._db.fetch(
            "SELECT referral_id, agency_id, version, needs, assessed_at FROM programme_assessments WHERE case_id = $1"
            " ORDER BY assessed_at, referral_id",
            case_id,
        )
        return [{**dict(row), "needs": json.loads(row["needs"])} for row in rows]

    async def holds(self, case_id: UUID) -> bool:
        """Whether the case is one intake opened (a follower ignores what compliance says of any other)."""
        await self._written()
        return bool(await self._db.fetchval("SELECT true FROM cases WHERE case_id = $1", case_id))

    def record(self, case_id: UUID, what: str, detail: str, *, at: datetime) -> None:
        self._writes.add("case_history", ("case_id", "what", "detail", "occurred_at"), [(case_id, what, detail, at)])

    async def history(self, case_id: UUID) -> list[HistoryEntry]:
        await self._written()
        rows = await self._db.fetch(
            "SELECT what, detail, occurred_at FROM case_history WHERE case_id = $1 ORDER BY id", case_id
        )
        return [HistoryEntry(**dict(row)) for row in rows]


def _case(row: asyncpg.Record | None) -> CaseRecord | None:
    return None if row is None else case_of(row)
