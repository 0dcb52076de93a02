"""What one intake transaction knows and has not written yet, for a consumer batch handled as a set.

The batch is loaded once (`load_batch`): the cases of the police references its decisions name, and the
change count (`sequence`) of every case, condition and referral its followed compliance events name. A
decision then learns whether its case exists, and a followed change whether it is newer than the one held,
without a query of its own; the cases opened and the changes applied are written when the transaction
flushes
(`PendingWrites.before_flush`), each entity once as it ended, one statement per table (rows as one JSON
array through `jsonb_to_recordset`, which carries the array column of needs). A read of a case, condition
or referral by another use case in the same batch writes them first (`CaseRepository._written`).

A reference found free at the look-up may be taken before the flush by a decision over HTTP; the flush then
refuses to write the batch (`DecidedMeanwhile`), which is retried whole and finds that case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg

from platform_plumbing.pending_writes import json_rows
from platform_plumbing.transactional_consumer import ChangedMeanwhile
from services.intake.domain.cases import CaseRecord

Reference = tuple[str, str]
"""(force id, police reference): what names a case to the police."""
CASE_TYPES = {
    "case_id": "uuid",
    "force_id": "text",
    "police_reference": "text",
    "subject_ref": "text",
    "disposal_type": "text",
    "status": "text",
    "policy_version": "text",
    "rule_outcomes": "jsonb",
    "youth_offending_team": "boolean",
    "decided_at": "timestamptz",
    "complete_by": "date",
    "deadline_extended": "boolean",
    "received_via": "text",
    "offence_category": "text",
    "mode_of_trial": "text",
    "age_at_offence": "int",
    "reason": "text",
    "next_step": "text",
    "sequence": "int",
}
"""The cases table's columns, with their types: each field of `CaseRecord`, once."""
assert list(CASE_TYPES) == list(CaseRecord.__dataclass_fields__), "CASE_TYPES must name CaseRecord's fields"
CASE_COLUMNS = ", ".join(CASE_TYPES)


class DecidedMeanwhile(ChangedMeanwhile):
    """A police reference the batch found free was given a case by another transaction before the batch was
    written: nothing of the batch is kept, and its retry finds that case."""


@dataclass
class IntakeBatch:
    looked_up: set[Reference] = field(default_factory=set)
    cases: dict[Reference, CaseRecord] = field(default_factory=dict)
    """The case of each looked-up reference that has one (as it was read, or as this transaction opened it)."""
    sequences: dict[str, dict[UUID, int | None]] = field(default_factory=dict)
    """"case" / "condition" / "referral" -> the ids looked up, each with its sequence (None: not held)."""
    followed: dict[str, dict[UUID, dict]] = field(default_factory=dict)
    """The same kinds -> each entity's newest followed change, not written yet."""
    opened: list[tuple[CaseRecord, datetime]] = field(default_factory=list)
    """Cases opened (or rejected) by this transaction, not written yet, with when."""

    def open(self, case: CaseRecord, at: datetime) -> None:
        self.cases[case.force_id, case.police_reference] = case
        self.opened.append((case, at))

    def sequence(self, kind: str, entity_id: UUID) -> tuple[bool, int | None]:
        """Whether `entity_id` was looked up, and its sequence as this transaction holds it (None: not held)."""
        known = self.sequences.get(kind, {})
        return entity_id in known, known.get(entity_id)

    def follow(self, kind: str, entity_id: UUID, row: dict) -> None:
        self.sequences.setdefault(kind, {})[entity_id] = row["sequence"]
        self.followed.setdefault(kind, {})[entity_id] = row

    async def write(self, connection: asyncpg.Connection) -> None:
        opened, self.opened = self.opened, []
        if opened:
            rows = [{**vars(case), "at": at} for case, at in opened]
            added = await connection.fetch(ADD_CASES, json_rows(rows))
            if len(added) < len(rows):
                raise DecidedMeanwhile(f"{len(rows) - len(added)} of the batch's police references")
        followed, self.followed = self.followed, {}
        for kind, statement in _FOLLOW.items():
            if rows := list(followed.get(kind, {}).values()):
                await connection.execute(statement, json_rows(rows))


async def load_batch(
    connection: asyncpg.Connection, references: set[Reference], followed: dict[str, set[UUID]]
) -> IntakeBatch:
    """The cases of `references`, and the sequences of the `followed` cases, conditions and referrals, one query
    per table."""
    batch = IntakeBatch(looked_up=set(references))
    if references:
        rows = await connection.fetch(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE (force_id, police_reference) IN"
            " (SELECT * FROM unnest($1::text[], $2::text[]))",
            [force_id for force_id, _ in references],
            [reference for _, reference in references],
        )
        batch.cases = {(row["force_id"], row["police_reference"]): case_of(row) for row in rows}
    for kind, ids in followed.items():
        if ids:
            rows = await connection.fetch(_SEQUENCES[kind], list(ids))
            batch.sequences[kind] = {**dict.fromkeys(ids), **{row["id"]: row["sequence"] for row in rows}}
    return batch


def case_of(row: asyncpg.Record) -> CaseRecord:
    values = dict(row)
    values["rule_outcomes"] = json.loads(values["rule_outcomes"])
    return CaseRecord(**values)


ADD_CASES = (
    f"INSERT INTO cases ({CASE_COLUMNS}, created_at, updated_at) SELECT {CASE_COLUMNS}, at, at"
    " FROM jsonb_to_recordset($1::jsonb) AS u("
    + ", ".join(f"{column} {kind}" for column, kind in CASE_TYPES.items())
    + ", at timestamptz) ON CONFLICT (force_id, police_reference) DO NOTHING RETURNING case_id"
)
"""Cases as one JSON array of rows (each a `CaseRecord` and `at`); those whose reference is taken are skipped."""
_SEQUENCES = {
    "case": "SELECT case_id AS id, sequence FROM cases WHERE case_id = ANY($1::uuid[])",
    "condition": "SELECT condition_id AS id, sequence FROM case_conditions WHERE condition_id = ANY($1::uuid[])",
    "referral": "SELECT referral_id AS id, sequence FROM case_referrals WHERE referral_id = ANY($1::uuid[])",
}
_FOLLOW = {
    "case": (
        "UPDATE cases c SET status = u.status, reason = u.reason, next_step = u.next_step, sequence = u.sequence,"
        " updated_at = u.at FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, status text, reason text,"
        " next_step text, sequence int, at timestamptz) WHERE c.case_id = u.case_id"
    ),
    "condition": (
        "UPDATE case_conditions c SET status = u.status, reason = u.reason, amount_paid_pence = u.paid,"
        " hours_done = u.hours, sequence = u.sequence FROM jsonb_to_recordset($1::jsonb) AS u(condition_id uuid,"
        " status text, reason text, paid int, hours int, sequence int) WHERE c.condition_id = u.condition_id"
    ),
    "referral": (
        "INSERT INTO case_referrals AS r (referral_id, case_id, agency_id, needs, status, reason, sequence, updated_at)"
        " SELECT * FROM jsonb_to_recordset($1::jsonb) AS u(referral_id uuid, case_id uuid, agency_id text,"
        " needs text[], status text, reason text, sequence int, updated_at timestamptz)"
        " ON CONFLICT (referral_id) DO UPDATE SET agency_id = EXCLUDED.agency_id, status = EXCLUDED.status,"
        " reason = EXCLUDED.reason, sequence = EXCLUDED.sequence, updated_at = EXCLUDED.updated_at"
    ),
}
