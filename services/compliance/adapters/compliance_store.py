"""Compliance's state in its own schema: each case file (case, conditions, referrals) loaded whole under
the case's row lock, and stored back as the domain left it.

The files a transaction has loaded are kept in an identity map (`CaseFiles`) for the rest of it: a
consumer batch loads the files of all its records' cases at once (one query per table) and every fact
of the batch then finds its case as the facts before it left it, without reading it again. What the facts
change is written when the transaction flushes (`PendingWrites.before_flush`), each changed entity once,
one statement per table: rows travel as one JSON array that `jsonb_to_recordset` turns back into typed
rows, since `unnest` cannot carry the array columns (needs, appointments) row by row."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

import asyncpg

from platform_plumbing import keyring
from platform_plumbing.pending_writes import PendingWrites, json_rows
from schemas.calendar import local_date
from schemas.vocabulary import (
    BreachNextStep,
    CaseStatus,
    ConditionKind,
    ConditionReporter,
    ConditionStatus,
    DisposalType,
    Evidence,
    NeedCategory,
    NonComplianceReason,
    PoliceDecision,
    ReferralStatus,
)
from services.compliance.adapters.held_events import HeldEvent, Releases
from services.compliance.adapters.work_store import LoadedWork, write_changed_work
from services.compliance.domain.case_file import CaseFile
from services.compliance.domain.entities import Case, Condition, Referral
from services.compliance.domain.rules import ComplianceRules

_CASE_TYPES = {
    "case_id": "uuid",
    "subject_ref": "text",
    "force_id": "text",
    "police_reference": "text",
    "disposal_type": "text",
    "offence_category": "text",
    "domestic_abuse": "boolean",
    "decided_at": "timestamptz",
    "complete_by": "date",
    "age_at_offence": "int",
    "victim": "boolean",
    "status": "text",
    "reason": "text",
    "next_step": "text",
    "police_decision": "text",
    "sequence": "int",
}
"""The cases table's columns with their types: each field of the `Case` entity, once."""
assert list(_CASE_TYPES) == list(Case.__dataclass_fields__), "_CASE_TYPES must name the Case entity's fields"
_CASE = ", ".join(_CASE_TYPES)
_CONDITION = (
    "condition_id, kind, description, evidence, reported_by, addresses_need, hours, amount_pence, own_complete_by,"
    " status, reason, amount_paid_pence, hours_done, sequence"
)
_REFERRAL = (
    "referral_id, agency_id, needs, status, issued_at, respond_by, replaces, unacceptable_absences, reason,"
    " superseded, scheduled, missed, sequence, onward_from"
)


@dataclass(frozen=True)
class Recorded:
    added: bool
    """False when it was known already (a redelivery or a replay)."""
    awaited: bool
    """Events are held waiting for it (see `entrypoints/held_events.py`)."""


@dataclass(frozen=True)
class ReferralOwner:
    case_id: UUID
    agency_id: str | None
    issued: bool
    """Whether it was ever issued to its agency (a queued referral is not the agency's yet)."""


@dataclass
class CaseFiles:
    """The case files one transaction has loaded, by case id, which case each of their referrals belongs to,
    and what changed in them since the transaction last flushed. Dropped whole (`forget`), together with the
    flush's pending writes (`PendingWrites.undo_to`), when part of the transaction is rolled back, since what
    an undone fact did to a file in memory is not undone with it."""

    files: dict[UUID, CaseFile] = field(default_factory=dict)
    looked_up: set[UUID] = field(default_factory=set)
    """Case ids whose files were looked for (those of `files`, and those that did not exist)."""
    owners: dict[UUID, UUID] = field(default_factory=dict)
    changed: dict[UUID, dict[UUID, datetime]] = field(default_factory=dict)
    """case id -> the ids of its entities changed since the last flush, each with when it last changed."""
    deliveries: dict[UUID, dict] = field(default_factory=dict)
    """referral id -> what its agency is told (delivery mode, brief, personal details) and the router's explanation,
    as `_DELIVER` takes them, not written yet."""
    added: set[UUID] = field(default_factory=set)
    """Cases this transaction opened, not written yet (inserted, where the others are updated)."""
    awaited: set[UUID] = field(default_factory=set)
    """Of `asked`, the ids events are held for (kept up as the batch holds and releases events)."""
    asked: set[UUID] = field(default_factory=set)
    """The case and referral ids whether events are held for is known of (read with the batch, or held by it);
    for any other id the database is asked."""
    held: dict[UUID, list[HeldEvent]] = field(default_factory=dict)
    """Of `asked`, what was held for each when the batch read it, not released yet."""
    held_here: set[UUID] = field(default_factory=set)
    """The ids this transaction has held events for, which are not written until it flushes."""
    releases: Releases = field(default_factory=Releases)
    work: LoadedWork = field(default_factory=LoadedWork)
    """The agencies' work on the referrals of these files that the transaction read (see `work_store`)."""

    def held_for(self, awaiting: UUID) -> None:
        self.asked.add(awaiting)
        self.awaited.add(awaiting)
        self.held_here.add(awaiting)

    def release(self, awaiting: UUID) -> list[HeldEvent] | None:
        """What is held for `awaiting`, which has arrived, as the batch read it; None when only the database
        knows all of it (the transaction held some itself, or has forgotten what it read)."""
        self.awaited.discard(awaiting)
        read = self.held.pop(awaiting, [])
        return None if awaiting in self.held_here or awaiting not in self.asked else read

    def keep(self, file: CaseFile) -> None:
        self.files[file.case.case_id] = file
        self.owners.update((referral.referral_id, file.case.case_id) for referral in file.referrals)

    def forget(self) -> None:
        self.files.clear()
        self.looked_up.clear()
        self.owners.clear()
        self.changed.clear()
        self.deliveries.clear()
        self.added.clear()
        self.awaited.clear()
        self.asked.clear()
        self.held.clear()
        self.held_here.clear()
        self.work.forget()


class ComplianceStore:
    def __init__(
        self,
        connection: asyncpg.Connection,
        writes: PendingWrites,
        files: CaseFiles | None = None,
        *,
        locks_cases: bool = True,
    ) -> None:
        """`writes`: where the append-only records (updates, reports, decisions, signals) are queued until the
        transaction flushes; `files`: the transaction's loaded case files (a new, empty map if not given);
        `locks_cases`: False for a transaction that reads case files without changing them, and must not wait
        for one that is changing them (the concern lane, see `kafka_events.expedite_concern`)."""
        self._db = connection
        self._writes = writes
        self._files = CaseFiles() if files is None else files
        self._lock = " FOR UPDATE" if locks_cases else ""

    async def add_case(
        self, case: Case, conditions: list[Condition], rules: ComplianceRules, *, now: datetime
    ) -> Recorded:
        """Add the case and its conditions unless known; also say whether events are held waiting for it. In a
        batch that loaded its cases and what is held, decided in memory and written at the flush."""
        files = self._files
        if case.case_id in files.looked_up and case.case_id in files.asked:
            if case.case_id in files.files:
                return Recorded(False, case.case_id in files.awaited)
            file = CaseFile(case, conditions, [], rules)
            files.keep(file)
            files.added.add(case.case_id)
            self._note_changed(case.case_id, {case.case_id, *(c.condition_id for c in conditions)}, now)
            return Recorded(True, case.case_id in files.awaited)
        row = await self._db.fetchrow(
            f"WITH added AS ({_ADD_CASES} ON CONFLICT (case_id) DO NOTHING RETURNING true)"
            " SELECT EXISTS (SELECT 1 FROM added) AS added,"
            " EXISTS (SELECT 1 FROM held_events WHERE awaiting = $2) AS awaited",
            json_rows([{**_row(_CASE, _case_values(case)), "at": now}]),
            case.case_id,
        )
        if row["added"] and conditions:
            await self._upsert_conditions(case.case_id, conditions)
        return Recorded(row["added"], row["awaited"])

    async def load_case_files(self, case_ids: Collection[UUID], rules: ComplianceRules) -> None:
        """Load the files of those of `case_ids` that exist and are not loaded yet, one query per table; their
        case rows stay locked (taken in case id order) until the transaction ends, where the store locks cases."""
        wanted = sorted(set(case_ids) - self._files.files.keys())
        if not wanted:
            return
        self._files.looked_up.update(wanted)
        cases = await self._db.fetch(
            f"SELECT {_CASE} FROM cases WHERE case_id = ANY($1::uuid[]) ORDER BY case_id{self._lock}", wanted
        )
        found = [row["case_id"] for row in cases]
        if not found:
            return
        conditions: dict[UUID, list[Condition]] = {case_id: [] for case_id in found}
        for row in await self._db.fetch(
            f"SELECT case_id AS of_case, {_CONDITION} FROM conditions WHERE case_id = ANY($1::uuid[])"
            " ORDER BY condition_id",
            found,
        ):
            conditions[row["of_case"]].append(_condition(row))
        referrals: dict[UUID, list[Referral]] = {case_id: [] for case_id in found}
        for row in await self._db.fetch(
            f"SELECT case_id AS of_case, {_REFERRAL} FROM referrals WHERE case_id = ANY($1::uuid[])"
            " ORDER BY referral_id",
            found,
        ):
            referrals[row["of_case"]].append(_referral(row))
        for row in cases:
            case = _case(row)
            self._files.keep(CaseFile(case, conditions[case.case_id], referrals[case.case_id], rules))

    async def case_file(self, case_id: UUID, rules: ComplianceRules) -> CaseFile | None:
        """The case with its conditions and referrals (as this transaction last left them); its row stays locked
        until the transaction ends."""
        await self.load_case_files([case_id], rules)
        return self._files.files.get(case_id)

    async def owner_of(self, referral_id: UUID) -> ReferralOwner | None:
        if (case_id := self._files.owners.get(referral_id)) is not None:
            referral = self._files.files[case_id].referral(referral_id)
            return ReferralOwner(case_id, referral.agency_id, referral.issued_at is not None)
        row = await self._db.fetchrow(
            "SELECT case_id, agency_id, issued_at IS NOT NULL AS issued FROM referrals WHERE referral_id = $1",
            referral_id,
        )
        return None if row is None else ReferralOwner(row["case_id"], row["agency_id"], row["issued"])

    async def save(self, file: CaseFile, *, now: datetime) -> set[UUID]:
        """Note what the domain changed, to be written when the transaction flushes; return the added referrals
        that held events wait for."""
        self._note_changed(file.case.case_id, file.added | file.touched, now)
        self._files.keep(file)  # its new referrals are known to `owner_of` from now on
        added = [r.referral_id for r in file.referrals if r.referral_id in file.added]
        if not added:
            return set()
        if self._files.asked.issuperset(added):
            return self._files.awaited.intersection(added)
        rows = await self._db.fetch("SELECT DISTINCT awaiting FROM held_events WHERE awaiting = ANY($1)", added)
        return {row["awaiting"] for row in rows}

    def save_delivery(
        self, referral_id: UUID, *, delivery_mode: str, brief: dict, personal: dict | None, explanation: str
    ) -> None:
        """What the router said of a placement beyond its lifecycle: the brief and the personal details the agency
        is told when the referral is issued, and the router's explanation (why this agency, or why none)."""
        self.will_write()
        self._files.deliveries[referral_id] = {
            "delivery_mode": delivery_mode,
            "brief": brief,
            "personal": personal,
            "why": explanation,
        }

    def _note_changed(self, case_id: UUID, entities: set[UUID], now: datetime) -> None:
        self.will_write()
        self._files.changed.setdefault(case_id, {}).update(dict.fromkeys(entities, now))

    @property
    def files(self) -> CaseFiles:
        return self._files

    def will_write(self) -> None:
        """Write the transaction's changes (case files, then the agencies' work) when it flushes."""
        self._writes.before_flush(self._write_changes)

    async def _write_changes(self, connection: asyncpg.Connection) -> None:
        """Every entity changed since the last flush, as it is now, one statement per table."""
        added, cases, conditions, referrals = [], [], [], []
        for case_id, entities in self._files.changed.items():
            file = self._files.files[case_id]
            if case_id in self._files.added:
                added.append({**_row(_CASE, _case_values(file.case)), "at": entities[case_id]})
            elif case_id in entities:
                cases.append({**_row(_CASE, _case_values(file.case)), "at": entities[case_id]})
            conditions += [
                {**_row(_CONDITION, _condition_values(c)), "case_id": case_id}
                for c in file.conditions
                if c.condition_id in entities
            ]
            referrals += [
                {**_row(_REFERRAL, _referral_values(r)), "case_id": case_id, "at": entities[r.referral_id]}
                for r in file.referrals
                if r.referral_id in entities
            ]
        deliveries = [{"referral_id": referral_id, **told} for referral_id, told in self._files.deliveries.items()]
        self._files.changed.clear()
        self._files.deliveries.clear()
        self._files.added.clear()
        if added:
            await connection.execute(_ADD_CASES, json_rows(added))
        if cases:
            await connection.execute(_UPDATE_CASES, json_rows(cases))
        if conditions:
            await connection.execute(_UPSERT_CONDITIONS, json_rows(conditions))
        if referrals:
            await connection.execute(_UPSERT_REFERRALS, json_rows(referrals))
        if deliveries:
            await connection.execute(_DELIVER, json_rows(deliveries))
        await write_changed_work(connection, self._files.work)

    async def _upsert_conditions(self, case_id: UUID, conditions: list[Condition]) -> None:
        rows = [{**_row(_CONDITION, _condition_values(c)), "case_id": case_id} for c in conditions]
        await self._db.execute(_UPSERT_CONDITIONS, json_rows(rows))

    async def overdue_cases(self, today: date, *, limit: int) -> list[UUID]:
        """Open cases whose deadline has passed, or a condition's own deadline with something to judge (an
        agency's condition whose delivery never started waits for the case's); rows other replicas hold are
        skipped."""
        rows = await self._db.fetch(
            "SELECT case_id FROM cases c WHERE status = 'open' AND (complete_by < $1 OR EXISTS ("
            "   SELECT 1 FROM conditions k WHERE k.case_id = c.case_id AND k.status = 'open'"
            "   AND k.own_complete_by < $1 AND (k.reported_by <> 'agency' OR EXISTS ("
            "     SELECT 1 FROM referrals r WHERE r.case_id = c.case_id AND k.addresses_need = ANY (r.needs)"
            "     AND r.status IN ('accepted', 'in_progress')))))"
            " ORDER BY complete_by LIMIT $2 FOR UPDATE SKIP LOCKED",
            today,
            limit,
        )
        return [row["case_id"] for row in rows]

    async def unanswered(self, now: datetime, *, limit: int) -> list[tuple[UUID, UUID]]:
        """(case, referral) of issued referrals past their answer-by time whose case no other replica holds."""
        rows = await self._db.fetch(
            "SELECT r.case_id, r.referral_id FROM referrals r JOIN cases c USING (case_id)"
            " WHERE r.status = 'issued' AND r.respond_by < $1 ORDER BY r.respond_by LIMIT $2"
            " FOR UPDATE OF c SKIP LOCKED",
            now,
            limit,
        )
        return [(row["case_id"], row["referral_id"]) for row in rows]

    async def case_standing(self, case_id: UUID) -> tuple[CaseStatus, str, str] | None:
        """The case's status, force and police reference (what an erasure needs), under its row lock."""
        row = await self._db.fetchrow(
            "SELECT status, force_id, police_reference FROM cases WHERE case_id = $1 FOR UPDATE", case_id
        )
        return None if row is None else (CaseStatus(row["status"]), row["force_id"], row["police_reference"])

    async def concluded_with_personal_data(
        self, before: datetime, concluded: frozenset[CaseStatus], *, limit: int
    ) -> list[UUID]:
        """Cases concluded before `before` whose data key still exists, skipping those another replica holds."""
        rows = await self._db.fetch(
            f"SELECT c.case_id FROM cases c JOIN {keyring.TABLE} k USING (case_id)"
            " WHERE c.status = ANY($1::text[]) AND c.outcome_at < $2 ORDER BY c.outcome_at LIMIT $3"
            " FOR UPDATE OF c SKIP LOCKED",
            [status.value for status in concluded],
            before,
            limit,
        )
        return [row["case_id"] for row in rows]

    async def forget_personal_details(self, case_ids: list[UUID]) -> None:
        """Drop the sealed details the cases' referrals were issued with (unreadable once the key is gone)."""
        await self._db.execute(
            "DELETE FROM referral_personal_details p USING referrals r"
            " WHERE p.referral_id = r.referral_id AND r.case_id = ANY($1::uuid[])",
            case_ids,
        )

    def record_update(
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
        self._writes.add(
            "referral_updates",
            (
                "referral_id",
                "agency_id",
                "update_type",
                "occurred_at",
                "received_at",
                "applied",
                "detail",
                "received_via",
            ),
            [(referral_id, agency_id, update_type, occurred_at, now, applied, json.dumps(detail), received_via)],
        )

    def record_condition_report(self, case_id: UUID, report: dict, *, applied: bool, now: datetime) -> None:
        self._writes.add(
            "condition_reports",
            (
                "case_id",
                "condition_id",
                "reported_by",
                "report",
                "amount_pence",
                "hours",
                "occurred_at",
                "received_at",
                "applied",
            ),
            [
                (
                    case_id,
                    report["condition_id"],
                    report["reported_by"],
                    report["report"],
                    report.get("amount_pence"),
                    report.get("hours"),
                    report["occurred_at"],
                    now,
                    applied,
                )
            ],
        )

    def record_police_decision(
        self, case_id: UUID, decision: dict, *, breach_reason: str | None, applied: bool, now: datetime
    ) -> None:
        self._writes.add(
            "police_decisions",
            (
                "case_id",
                "decision",
                "officer",
                "reason",
                "breach_sequence",
                "breach_reason",
                "decided_at",
                "received_at",
                "applied",
            ),
            [
                (
                    case_id,
                    decision["decision"],
                    decision["officer"],
                    decision["reason"],
                    decision["breach_sequence"],
                    breach_reason,
                    decision["decided_at"],
                    now,
                    applied,
                )
            ],
        )

    async def first_diverted_on(self, force_id: str, subject_ref: str) -> date | None:
        """The day (in England and Wales) of the person's first diversion here; None if none is known yet (what this
        transaction changed is written first, so a case opened in the same batch counts)."""
        if len(self._writes):
            await self._writes.flush(self._db)
        first = await self._db.fetchval(
            "SELECT min(decided_at) FROM cases WHERE force_id = $1 AND subject_ref = $2", force_id, subject_ref
        )
        return None if first is None else local_date(first)

    def add_reoffending_signal(self, force_id: str, subject_ref: str, named_on: date, domestic_abuse: bool) -> None:
        self._writes.add(
            "reoffending_signals",
            ("force_id", "subject_ref", "named_on", "domestic_abuse"),
            [(force_id, subject_ref, named_on, domestic_abuse)],
        )


_CONDITION_TYPES = (
    "condition_id uuid, kind text, description text, evidence text, reported_by text, addresses_need text,"
    " hours int, amount_pence int, own_complete_by date, status text, reason text, amount_paid_pence int,"
    " hours_done int, sequence int"
)
_REFERRAL_TYPES = (
    "referral_id uuid, agency_id text, needs text[], status text, issued_at timestamptz, respond_by timestamptz,"
    " replaces uuid[], unacceptable_absences int, reason text, superseded boolean, scheduled uuid[], missed uuid[],"
    " sequence int, onward_from uuid"
)
_ADD_CASES = (
    f"INSERT INTO cases ({_CASE}, updated_at) SELECT {_CASE}, at FROM jsonb_to_recordset($1::jsonb) AS u("
    + ", ".join(f"{column} {kind}" for column, kind in _CASE_TYPES.items())
    + ", at timestamptz)"
)
_UPDATE_CASES = (
    "UPDATE cases c SET complete_by = u.complete_by, status = u.status, reason = u.reason, next_step = u.next_step,"
    " police_decision = u.police_decision, sequence = u.sequence,"
    " outcome_at = CASE WHEN c.status <> u.status THEN u.at ELSE c.outcome_at END, updated_at = u.at"
    " FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, complete_by date, status text, reason text,"
    " next_step text, police_decision text, sequence int, at timestamptz) WHERE c.case_id = u.case_id"
)
_UPSERT_CONDITIONS = (
    f"INSERT INTO conditions (case_id, {_CONDITION}) SELECT case_id, {_CONDITION}"
    f" FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, {_CONDITION_TYPES})"
    " ON CONFLICT (condition_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,"
    " amount_paid_pence = EXCLUDED.amount_paid_pence, hours_done = EXCLUDED.hours_done,"
    " sequence = EXCLUDED.sequence"
)
_UPSERT_REFERRALS = (
    f"INSERT INTO referrals (case_id, delivery_mode, updated_at, {_REFERRAL}) SELECT case_id, '', at, {_REFERRAL}"
    f" FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, at timestamptz, {_REFERRAL_TYPES})"
    " ON CONFLICT (referral_id) DO UPDATE SET status = EXCLUDED.status, issued_at = EXCLUDED.issued_at,"
    " respond_by = EXCLUDED.respond_by, unacceptable_absences = EXCLUDED.unacceptable_absences,"
    " reason = EXCLUDED.reason, superseded = EXCLUDED.superseded, scheduled = EXCLUDED.scheduled,"
    " missed = EXCLUDED.missed, sequence = EXCLUDED.sequence, updated_at = EXCLUDED.updated_at"
)
_DELIVER = (
    "WITH told AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS u(referral_id uuid, delivery_mode text,"
    " brief jsonb, personal jsonb, why text)),"
    " briefed AS (UPDATE referrals r SET delivery_mode = told.delivery_mode, brief = told.brief,"
    " explanation = told.why FROM told WHERE r.referral_id = told.referral_id)"
    " INSERT INTO referral_personal_details (referral_id, details)"
    " SELECT referral_id, personal FROM told WHERE personal IS NOT NULL ON CONFLICT (referral_id) DO NOTHING"
)


def _row(columns: str, values: tuple) -> dict:
    return dict(zip((name.strip() for name in columns.split(",")), values, strict=True))


def _value(member) -> str | None:
    return None if member is None else member.value


def _case_values(case: Case) -> tuple:
    return (
        case.case_id,
        case.subject_ref,
        case.force_id,
        case.police_reference,
        case.disposal_type.value,
        case.offence_category,
        case.domestic_abuse,
        case.decided_at,
        case.complete_by,
        case.age_at_offence,
        case.victim,
        case.status.value,
        _value(case.reason),
        _value(case.next_step),
        _value(case.police_decision),
        case.sequence,
    )


def _condition_values(c: Condition) -> tuple:
    return (
        c.condition_id,
        c.kind.value,
        c.description,
        c.evidence.value,
        c.reported_by.value,
        _value(c.addresses_need),
        c.hours,
        c.amount_pence,
        c.own_complete_by,
        c.status.value,
        _value(c.reason),
        c.amount_paid_pence,
        c.hours_done,
        c.sequence,
    )


def _referral_values(r: Referral) -> tuple:
    return (
        r.referral_id,
        r.agency_id,
        [n.value for n in r.needs],
        r.status.value,
        r.issued_at,
        r.respond_by,
        list(r.replaces),
        r.unacceptable_absences,
        r.reason,
        r.superseded,
        sorted(r.scheduled),
        sorted(r.missed),
        r.sequence,
        r.onward_from,
    )


def _case(row: asyncpg.Record) -> Case:
    values = dict(row)
    return Case(
        **{
            **values,
            "disposal_type": DisposalType(values["disposal_type"]),
            "status": CaseStatus(values["status"]),
            "reason": _member(NonComplianceReason, values["reason"]),
            "next_step": _member(BreachNextStep, values["next_step"]),
            "police_decision": _member(PoliceDecision, values["police_decision"]),
        }
    )


def _condition(row: asyncpg.Record) -> Condition:
    values = {name: value for name, value in row.items() if name != "of_case"}
    return Condition(
        **{
            **values,
            "kind": ConditionKind(values["kind"]),
            "evidence": Evidence(values["evidence"]),
            "reported_by": ConditionReporter(values["reported_by"]),
            "addresses_need": _member(NeedCategory, values["addresses_need"]),
            "status": ConditionStatus(values["status"]),
            "reason": _member(NonComplianceReason, values["reason"]),
        }
    )


def _referral(row: asyncpg.Record) -> Referral:
    values = {name: value for name, value in row.items() if name != "of_case"}
    return Referral(
        **{
            **values,
            "needs": tuple(NeedCategory(n) for n in values["needs"]),
            "status": ReferralStatus(values["status"]),
            "scheduled": frozenset(values["scheduled"]),
            "missed": frozenset(values["missed"]),
            "replaces": tuple(values["replaces"]),
        }
    )


def _member(enum, value):
    return None if value is None else enum(value)
