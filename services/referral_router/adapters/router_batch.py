"""What one routing transaction knows and has not written yet: the router's unit of work across a batch.

A consumer batch is loaded once (`RouterStore.load_batch`): the agencies' load, which of its new cases exist
already and the referrals its compliance events name (locked). Every event of the batch then works on that
state in memory, in offset order: a case it opens is all in memory (its needs, conditions, referrals, the
person's details), a followed change updates the referral or case it names, and each agency's load is the
load read at the start plus what this batch placed, issued and freed — the per-agency counters capacity is
decided on, which the trigger of migration 0002 keeps in the database as the rows are written.

Nothing of that is written until the transaction flushes (`PendingWrites.before_flush`): then each table
gets one statement, each row as it ended (rows travel as one JSON array through `jsonb_to_recordset`).
Which agencies have referrals queued is read with the load, so that freeing a place at an agency nobody
waits for costs no query.

Capacity is reserved per agency, not under one lock for all: the load is read without a lock, and before
the referrals are written the counters of the agencies whose load they move, or where they queue, are
locked, in agency order (so that replicas cannot deadlock), and checked on the load now committed: the
batch is refused (`CapacityMovedMeanwhile`) and run again at once if what it adds at an agency would take
it over its capacity, or if an agency where it queued a referral has a free place after all (another
replica freed one without seeing the queued referral). Replicas that place at different agencies never wait
for each other, and those that place at the same one only for the moment of the check. (A batch that
writes twice, because a read its memory could not answer came first, locks its second set of counters
after the first; should that ever deadlock with another replica, PostgreSQL breaks it and the batch is
retried.)

A read this memory cannot answer (a case opened before the batch, its exclusions) first writes what is
pending (`RouterStore._written`), so the database it reads is the whole truth.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

import asyncpg

from platform_plumbing.pending_writes import json_rows
from platform_plumbing.transactional_consumer import ChangedMeanwhile
from schemas.vocabulary import CaseStatus, ReferralStatus
from services.referral_router.domain.entities import Referral, RoutedCase, Safety, TrackedCondition
from services.referral_router.domain.matching import Need


class CapacityMovedMeanwhile(ChangedMeanwhile):
    """Another transaction changed the load of an agency this batch places with, issues from or frees a place
    at, after the batch read it: nothing of the batch is kept, and its retry decides on the new load."""


ACTIVE = frozenset({ReferralStatus.ISSUED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS})
"""Referral statuses that hold a place at their agency (what `agency_load` counts)."""


@dataclass
class OpenedCase:
    """A case this transaction added: all there is of it, as it is now."""

    case: RoutedCase
    opened_at: datetime
    personal: dict | None
    needs: tuple[Need, ...] = ()
    conditions: dict[UUID, TrackedCondition] = field(default_factory=dict)


@dataclass
class RouterBatch:
    looked_up: set[UUID] = field(default_factory=set)
    """Case ids whose existence was looked up (or decided) in this transaction."""
    existing: set[UUID] = field(default_factory=set)
    """Those of `looked_up` that existed before this transaction."""
    opened: dict[UUID, OpenedCase] = field(default_factory=dict)
    referrals: dict[UUID, Referral] = field(default_factory=dict)
    """Referrals read (locked) or placed by this transaction, as they are now."""
    created_at: dict[UUID, datetime] = field(default_factory=dict)
    """When each referral this transaction placed was created (ordering `referrals_of_case`, `queued_for`)."""
    load_read: dict[str, int] | None = None
    """`agency_load` as read at the start of the transaction; None until read."""
    load_change: Counter = field(default_factory=Counter)
    """What this transaction changed in each agency's load since it was read."""
    load_written: Counter = field(default_factory=Counter)
    """What of `load_change` is written already (the counters of those agencies are locked)."""
    capacity: dict[str, int] = field(default_factory=dict)
    """Each agency's capacity in the catalogue the batch decides with (an agency not in it is checked for any
    change of its load)."""
    load_moved: set[str] = field(default_factory=set)
    """Agencies whose load this transaction moved since it last wrote (the counters the trigger will change)."""
    queued_read: set[str] | None = None
    """Agencies with referrals queued in the database when the batch was loaded; None until read."""
    placed: set[UUID] = field(default_factory=set)
    changed: dict[UUID, datetime] = field(default_factory=dict)
    """Referrals read before this transaction that it changed, with when each last changed."""
    case_changes: dict[UUID, tuple[CaseStatus, int]] = field(default_factory=dict)
    """Followed changes to cases opened before this transaction: the newest per case."""
    condition_changes: dict[UUID, tuple[UUID, str, int]] = field(default_factory=dict)
    """Followed changes to conditions of cases opened before it: the newest per condition (case, status, seq)."""

    @property
    def unwritten(self) -> bool:
        return bool(self.opened or self.placed or self.changed or self.case_changes or self.condition_changes)

    def load(self) -> dict[str, int]:
        agencies = set(self.load_read or {}) | set(self.load_change)
        return {agency: (self.load_read or {}).get(agency, 0) + self.load_change[agency] for agency in agencies}

    def remember(self, referral: Referral) -> Referral:
        """A referral as read from the database, unless this transaction holds a newer state of it."""
        return self.referrals.setdefault(referral.referral_id, referral)

    def keep(self, referral: Referral) -> None:
        """`referral` as this transaction made it; a change of whether it holds a place moves its agency's load."""
        before = self.referrals.get(referral.referral_id)
        was = before is not None and before.status in ACTIVE
        if referral.agency_id is not None and was != (referral.status in ACTIVE):
            self.load_change[referral.agency_id] += 1 if referral.status in ACTIVE else -1
            self.load_moved.add(referral.agency_id)
        self.referrals[referral.referral_id] = referral

    def change(self, referral_id: UUID, at: datetime, **fields) -> Referral:
        changed = replace(self.referrals[referral_id], **fields)
        self.keep(changed)
        if referral_id not in self.placed:
            self.changed[referral_id] = at
        return changed

    async def write(self, connection: asyncpg.Connection) -> None:
        """Everything not written yet, one statement per table, in the order the foreign keys need."""
        opened, self.opened = list(self.opened.values()), {}
        placed = [self.referrals[r] for r in sorted(self.placed, key=lambda r: (self.created_at[r], r))]
        changed = [(self.referrals[r], at) for r, at in self.changed.items()]
        cases, conditions = self.case_changes, self.condition_changes
        self.placed, self.changed, self.case_changes, self.condition_changes = set(), {}, {}, {}
        if opened:
            await connection.execute(_ADD_CASES, json_rows([_case_row(o) for o in opened]))
            if rows := [{"case_id": o.case.case_id, "details": o.personal} for o in opened if o.personal is not None]:
                await connection.execute(_ADD_PERSONAL, json_rows(rows))
            if rows := [_need_row(o.case.case_id, n) for o in opened for n in o.needs]:
                await connection.execute(_ADD_NEEDS, json_rows(rows))
            if rows := [_condition_row(o.case.case_id, c) for o in opened for c in o.conditions.values()]:
                await connection.execute(_ADD_CONDITIONS, json_rows(rows))
        queued_at = {r.agency_id for r in placed if r.status == ReferralStatus.QUEUED}
        moved, self.load_moved = self.load_moved | queued_at, set()
        if self.load_read is not None and moved:
            await self._reserve(connection, moved, queued_at)
        if placed:
            await connection.execute(
                _ADD_REFERRALS, json_rows([_referral_row(r, self.created_at[r.referral_id]) for r in placed])
            )
        if changed:
            await connection.execute(_CHANGE_REFERRALS, json_rows([_change_row(r, at) for r, at in changed]))
        if cases:
            rows = [{"case_id": c, "status": s.value, "sequence": n} for c, (s, n) in cases.items()]
            await connection.execute(_FOLLOW_CASES, json_rows(rows))
        if conditions:
            rows = [
                {"condition_id": k, "case_id": c, "status": s, "sequence": n} for k, (c, s, n) in conditions.items()
            ]
            await connection.execute(_FOLLOW_CONDITIONS, json_rows(rows))

    async def _reserve(self, connection: asyncpg.Connection, agencies: set[str], queued_at: set[str]) -> None:
        """Lock the counters of `agencies` in agency order and check this transaction's placements on the load
        they hold now; raise `CapacityMovedMeanwhile` if one no longer fits."""
        rows = await connection.fetch(_LOCK_LOAD, sorted(agencies))
        unfit = [row["agency_id"] for row in rows if not self.fits(row["agency_id"], row["active"], queued_at)]
        if unfit:
            raise CapacityMovedMeanwhile(f"the load of {len(unfit)} agencies moved since the batch read it")
        self.load_written = Counter(self.load_change)

    def fits(self, agency_id: str, active_now: int, queued_at: set[str]) -> bool:
        """Whether what this transaction is about to write at `agency_id` still holds, the agency now holding
        `active_now` referrals (as committed, plus what this transaction wrote before): what it adds stays
        within the capacity, and it queued nothing there while a place is free."""
        capacity = self.capacity.get(agency_id)
        if capacity is None:
            return active_now == self.load_read.get(agency_id, 0) + self.load_written[agency_id]
        adding = self.load_change[agency_id] - self.load_written[agency_id]
        after = active_now + adding
        return not (adding > 0 and after > capacity) and not (agency_id in queued_at and after < capacity)


def _case_row(opened: OpenedCase) -> dict:
    case, person = opened.case, opened.case.person
    return {
        "case_id": case.case_id,
        "disposal_type": person.disposal.value,
        "age": person.age,
        "sex": person.sex.value,
        "area": person.area,
        "domestic_abuse": person.domestic_abuse,
        "dash_risk": person.dash_risk.value if person.dash_risk else None,
        "youth_offending_team": person.youth_offending_team,
        "status": case.status.value,
        "sequence": case.sequence,
        "opened_at": opened.opened_at,
        "complete_by": case.complete_by,
        "safety": _safety_row(case.safety),
    }


def _safety_row(safety: Safety) -> dict | None:
    if safety == Safety():
        return None
    return {
        "risk_of_harm": safety.risk_of_harm.value if safety.risk_of_harm else None,
        "safeguarding_flags": [flag.value for flag in safety.safeguarding_flags],
        "officer": safety.officer.model_dump(mode="json", exclude_none=True) if safety.officer else None,
    }


def _need_row(case_id: UUID, need: Need) -> dict:
    return {
        "case_id": case_id,
        "category": need.category.value,
        "severity": need.severity.value,
        "preferred_mode": need.preferred_mode.value if need.preferred_mode else None,
    }


def _condition_row(case_id: UUID, condition: TrackedCondition) -> dict:
    return {
        "condition_id": condition.condition_id,
        "case_id": case_id,
        "terms": condition.terms.model_dump(mode="json") if condition.terms else None,
        "status": condition.status,
        "sequence": condition.sequence,
    }


def _referral_row(referral: Referral, created_at: datetime) -> dict:
    return {
        "referral_id": referral.referral_id,
        "case_id": referral.case_id,
        "agency_id": referral.agency_id,
        "needs": needsjson_rows(referral.needs),
        "delivery_mode": referral.delivery_mode.value,
        "status": referral.status.value,
        "explanation": referral.explanation,
        "candidates": referral.candidates,
        "issued_at": referral.issued_at,
        "respond_by": referral.respond_by,
        "replaces": list(referral.replaces),
        "sequence": referral.sequence,
        "created_at": created_at,
        "onward_from": referral.onward_from,
    }


def _change_row(referral: Referral, at: datetime) -> dict:
    return {
        "referral_id": referral.referral_id,
        "status": referral.status.value,
        "sequence": referral.sequence,
        "issued_at": referral.issued_at,
        "respond_by": referral.respond_by,
        "at": at,
    }


def needsjson_rows(needs) -> list[dict]:
    return [
        {
            "category": n.category.value,
            "severity": n.severity.value,
            "preferred_mode": n.preferred_mode.value if n.preferred_mode else None,
        }
        for n in needs
    ]


_LOCK_LOAD = (
    "INSERT INTO agency_load AS load (agency_id, active)"
    " SELECT agency_id, 0 FROM unnest($1::text[]) AS agency_id ORDER BY agency_id"
    " ON CONFLICT (agency_id) DO UPDATE SET active = load.active RETURNING agency_id, active"
)
"""Locks each agency's counter row, adding it at 0 where the agency never held a referral (a row that does not
exist cannot be locked), and returns the counts as committed by everyone else."""
_ADD_CASES = (
    "INSERT INTO cases (case_id, disposal_type, age, sex, area, domestic_abuse, dash_risk, youth_offending_team,"
    " status, sequence, opened_at, complete_by, safety) SELECT * FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid,"
    " disposal_type text, age int, sex text, area text, domestic_abuse boolean, dash_risk text,"
    " youth_offending_team boolean, status text, sequence int, opened_at timestamptz, complete_by date, safety jsonb)"
)
_ADD_PERSONAL = (
    "INSERT INTO case_personal_details (case_id, details)"
    " SELECT * FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, details jsonb)"
)
_ADD_NEEDS = (
    "INSERT INTO case_needs (case_id, category, severity, preferred_mode)"
    " SELECT * FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, category text, severity text, preferred_mode text)"
)
_ADD_CONDITIONS = (
    "INSERT INTO case_conditions (condition_id, case_id, terms, status, sequence)"
    " SELECT * FROM jsonb_to_recordset($1::jsonb) AS u(condition_id uuid, case_id uuid, terms jsonb, status text,"
    " sequence int)"
)
_ADD_REFERRALS = (
    "INSERT INTO referrals (referral_id, case_id, agency_id, needs, delivery_mode, status, explanation, candidates,"
    " issued_at, respond_by, replaces, sequence, created_at, onward_from, updated_at)"
    " SELECT *, created_at FROM jsonb_to_recordset($1::jsonb) AS u(referral_id uuid, case_id uuid, agency_id text,"
    " needs jsonb, delivery_mode text, status text, explanation text, candidates jsonb, issued_at timestamptz,"
    " respond_by timestamptz, replaces uuid[], sequence int, created_at timestamptz, onward_from uuid)"
)
_CHANGE_REFERRALS = (
    "UPDATE referrals r SET status = u.status, sequence = u.sequence, issued_at = u.issued_at,"
    " respond_by = u.respond_by, updated_at = u.at FROM jsonb_to_recordset($1::jsonb) AS u(referral_id uuid,"
    " status text, sequence int, issued_at timestamptz, respond_by timestamptz, at timestamptz)"
    " WHERE r.referral_id = u.referral_id"
)
_FOLLOW_CASES = (
    "UPDATE cases c SET status = u.status, sequence = u.sequence"
    " FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, status text, sequence int)"
    " WHERE c.case_id = u.case_id AND c.sequence < u.sequence"
)
_FOLLOW_CONDITIONS = (
    "INSERT INTO case_conditions AS c (condition_id, case_id, status, sequence)"
    " SELECT u.* FROM jsonb_to_recordset($1::jsonb) AS u(condition_id uuid, case_id uuid, status text, sequence int)"
    " WHERE EXISTS (SELECT 1 FROM cases WHERE case_id = u.case_id)"
    " ON CONFLICT (condition_id) DO UPDATE SET status = EXCLUDED.status, sequence = EXCLUDED.sequence"
    " WHERE c.sequence < EXCLUDED.sequence"
)
