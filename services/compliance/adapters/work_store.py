"""The agencies' work on their referrals, in compliance's schema: each referral's work record with its action
plan versions and sessions, programme assessments, case notes, safeguarding concerns and reminders.

Each table's columns are declared once, here, as a map of column to SQL type that the statements are made from
and the row builders are checked against. Rows travel as one JSON array through `jsonb_to_recordset`. A write
first flushes what the transaction still holds (a referral issued earlier in the same consumer batch is written
before the work that names it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg

from platform_plumbing.pending_writes import PendingWrites, json_rows
from schemas.vocabulary import (
    ConcernKind,
    ContactMethod,
    Engagement,
    GoalOutcome,
    NeedCategory,
    NoteAuthor,
    PlanStatus,
    ReferralStatus,
    ReminderChannel,
    ReminderStatus,
    Urgency,
)
from services.compliance.domain.case_notes import CaseNote
from services.compliance.domain.programme_assessments import ProgrammeAssessment
from services.compliance.domain.referral_work import (
    ActionPlan,
    EndOfServiceReport,
    GoalMet,
    PlanItem,
    ReferralWork,
    Session,
)
from services.compliance.domain.reminders import Reminder
from services.compliance.domain.safeguarding import Concern

WORK = {
    "referral_id": "uuid",
    "case_id": "uuid",
    "agency_id": "text",
    "caseworker": "text",
    "first_contact_at": "timestamptz",
    "first_contact_method": "text",
    "first_contact_due": "date",
    "report": "jsonb",
    "sequence": "int",
    "updated_at": "timestamptz",
}
PLANS = {
    "plan_id": "uuid",
    "referral_id": "uuid",
    "version": "int",
    "activities": "jsonb",
    "goals": "jsonb",
    "sessions_planned": "int",
    "submitted_at": "timestamptz",
    "status": "text",
    "decided_by": "text",
    "decided_at": "timestamptz",
    "reason": "text",
}
SESSIONS = {
    "referral_id": "uuid",
    "appointment_id": "uuid",
    "engagement": "text",
    "concerning_behaviour": "boolean",
    "notes": "text",
    "recorded_at": "timestamptz",
}
ASSESSMENTS = {
    "assessment_id": "uuid",
    "referral_id": "uuid",
    "case_id": "uuid",
    "agency_id": "text",
    "version": "int",
    "needs": "jsonb",
    "assessed_at": "timestamptz",
}
NOTES = {
    "note_id": "uuid",
    "case_id": "uuid",
    "referral_id": "uuid",
    "author": "text",
    "written_by": "text",
    "text": "text",
    "written_at": "timestamptz",
}
CONCERNS = {
    "concern_id": "uuid",
    "case_id": "uuid",
    "referral_id": "uuid",
    "agency_id": "text",
    "force_id": "text",
    "police_reference": "text",
    "kind": "text",
    "urgency": "text",
    "details": "text",
    "raised_at": "timestamptz",
    "acknowledged_by": "text",
    "acknowledged_at": "timestamptz",
}
REMINDERS = {
    "reminder_id": "uuid",
    "case_id": "uuid",
    "referral_id": "uuid",
    "appointment_id": "uuid",
    "scheduled_for": "timestamptz",
    "due_at": "timestamptz",
    "status": "text",
    "channel": "text",
    "notification_id": "text",
    "reason": "text",
    "updated_at": "timestamptz",
}
assert set(ASSESSMENTS) == set(ProgrammeAssessment.__dataclass_fields__)
assert set(NOTES) == set(CaseNote.__dataclass_fields__)
assert set(CONCERNS) == set(Concern.__dataclass_fields__)
assert set(REMINDERS) - {"updated_at"} == set(Reminder.__dataclass_fields__)


def _upsert(table: str, columns: Mapping[str, str], key: str, *, update: bool = True) -> str:
    """INSERT … SELECT FROM jsonb_to_recordset for `columns`; on a known `key`, update the rest (or do nothing)."""
    names = ", ".join(columns)
    typed = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    rest = [name for name in columns if name not in key.split(", ")]
    conflict = f"DO UPDATE SET {', '.join(f'{name} = EXCLUDED.{name}' for name in rest)}" if update else "DO NOTHING"
    return (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM jsonb_to_recordset($1::jsonb) AS u({typed})"
        f" ON CONFLICT ({key}) {conflict}"
    )


_SAVE_WORK = _upsert("referral_work", WORK, "referral_id")
_SAVE_PLANS = _upsert("action_plans", PLANS, "plan_id")
_ADD_SESSIONS = _upsert("sessions", SESSIONS, "referral_id, appointment_id", update=False)
_ADD_ASSESSMENT = _upsert("programme_assessments", ASSESSMENTS, "assessment_id", update=False)
_ADD_NOTE = _upsert("case_notes", NOTES, "note_id", update=False)
_ADD_CONCERN = _upsert("concerns", CONCERNS, "concern_id", update=False) + " RETURNING true"
_SAVE_REMINDERS = _upsert("reminders", REMINDERS, "reminder_id")


@dataclass
class LoadedWork:
    """The agencies' work one transaction has read, by referral id, and which of it changed since it last flushed.
    A consumer batch reads the work on all its referrals with three queries, and the work its steps changed is
    written when the batch flushes, one statement per table, after the case files' changes (a referral issued
    earlier in the batch is written before the work that names it)."""

    works: dict[UUID, ReferralWork] = field(default_factory=dict)
    looked_up: set[UUID] = field(default_factory=set)
    """Referral ids whose work was looked for (those of `works`, and those with none yet)."""
    changed: dict[UUID, datetime] = field(default_factory=dict)
    """referral id -> when its work last changed, not written yet."""

    def forget(self) -> None:
        self.works.clear()
        self.looked_up.clear()
        self.changed.clear()


async def load_work(connection: asyncpg.Connection, loaded: LoadedWork, referral_ids: Collection[UUID]) -> None:
    """Read the work on those of `referral_ids` not looked for yet, one query per table."""
    wanted = sorted(set(referral_ids) - loaded.looked_up)
    if not wanted:
        return
    loaded.looked_up.update(wanted)
    rows = await connection.fetch(f"SELECT {', '.join(WORK)} FROM referral_work WHERE referral_id = ANY($1)", wanted)
    found = [row["referral_id"] for row in rows]
    if not found:
        return
    plans: dict[UUID, list[ActionPlan]] = {referral_id: [] for referral_id in found}
    for plan in await connection.fetch(
        f"SELECT {', '.join(PLANS)} FROM action_plans WHERE referral_id = ANY($1) ORDER BY version", found
    ):
        plans[plan["referral_id"]].append(_plan(plan))
    sessions: dict[UUID, dict[UUID, Session]] = {referral_id: {} for referral_id in found}
    for session in await connection.fetch(
        f"SELECT {', '.join(SESSIONS)} FROM sessions WHERE referral_id = ANY($1) ORDER BY recorded_at", found
    ):
        sessions[session["referral_id"]][session["appointment_id"]] = _session(session)
    for row in rows:
        referral_id = row["referral_id"]
        loaded.works[referral_id] = ReferralWork(
            referral_id=referral_id,
            case_id=row["case_id"],
            agency_id=row["agency_id"],
            caseworker=row["caseworker"],
            first_contact_at=row["first_contact_at"],
            first_contact_method=_member(ContactMethod, row["first_contact_method"]),
            first_contact_due=row["first_contact_due"],
            plans=plans[referral_id],
            sessions=sessions[referral_id],
            report=_report(row["report"]),
            sequence=row["sequence"],
        )


async def write_changed_work(connection: asyncpg.Connection, loaded: LoadedWork) -> None:
    """The work changed since the last flush, as it is now, with its plans and the sessions not yet written."""
    if not loaded.changed:
        return
    works = [(loaded.works[referral_id], at) for referral_id, at in loaded.changed.items()]
    loaded.changed.clear()
    await connection.execute(_SAVE_WORK, json_rows([_work_row(work, at) for work, at in works]))
    plans = [_plan_row(work.referral_id, plan) for work, _ in works for plan in work.plans]
    if plans:
        await connection.execute(_SAVE_PLANS, json_rows(plans))
    sessions = [_session_row(work.referral_id, session) for work, _ in works for session in work.sessions.values()]
    if sessions:
        await connection.execute(_ADD_SESSIONS, json_rows(sessions))


@dataclass(frozen=True)
class ReferralStanding:
    """What a reminder needs to know of its referral."""

    status: ReferralStatus
    missed: frozenset[UUID]
    agency_id: str


@dataclass(frozen=True)
class PlanAwaiting:
    referral_id: UUID
    case_id: UUID
    agency_id: str
    plan: ActionPlan


class WorkStore:
    def __init__(
        self, connection: asyncpg.Connection, writes: PendingWrites, loaded: LoadedWork, will_write: Callable[[], None]
    ) -> None:
        """`loaded`: the work the transaction has read; `will_write`: asks for the transaction's changes (case files
        first, then this work) to be written when it flushes."""
        self._db = connection
        self._writes = writes
        self._loaded = loaded
        self._will_write = will_write

    async def _written(self) -> None:
        if len(self._writes):
            await self._writes.flush(self._db)

    # -- a referral's work ----------------------------------------------------------------------------------------

    async def work(self, referral_id: UUID, case_id: UUID, agency_id: str) -> ReferralWork:
        """The referral's work as this transaction last left it (a fresh record when there is none yet). Its case is
        locked already, except in the concern lane, which reads the work and changes none of it."""
        await load_work(self._db, self._loaded, [referral_id])
        return self._loaded.works.setdefault(referral_id, ReferralWork(referral_id, case_id, agency_id))

    def save(self, work: ReferralWork, *, now: datetime) -> None:
        """Note that the work changed, to be written when the transaction flushes."""
        self._loaded.works[work.referral_id] = work
        self._loaded.changed[work.referral_id] = now
        self._will_write()

    async def plan(self, plan_id: UUID) -> tuple[UUID, UUID, str] | None:
        """(referral, case, agency) of an action plan version; None if there is none."""
        await self._written()
        row = await self._db.fetchrow(
            "SELECT w.referral_id, w.case_id, w.agency_id FROM action_plans p JOIN referral_work w USING (referral_id)"
            " WHERE p.plan_id = $1",
            plan_id,
        )
        return None if row is None else (row["referral_id"], row["case_id"], row["agency_id"])

    async def plans_awaiting_approval(self, *, limit: int) -> list[PlanAwaiting]:
        """Plan versions awaiting the diversion team's approval, oldest first."""
        rows = await self._db.fetch(
            f"SELECT w.case_id, w.agency_id, {', '.join(f'p.{name}' for name in PLANS)} FROM action_plans p"
            " JOIN referral_work w USING (referral_id) WHERE p.status = 'awaiting_approval'"
            " ORDER BY p.submitted_at LIMIT $1",
            limit,
        )
        return [PlanAwaiting(row["referral_id"], row["case_id"], row["agency_id"], _plan(row)) for row in rows]

    # -- programme assessments --------------------------------------------------------------------------------

    async def assessments_of(self, referral_id: UUID) -> tuple[UUID, ...]:
        """The referral's assessments' ids, oldest first."""
        await self._written()
        rows = await self._db.fetch(
            "SELECT assessment_id FROM programme_assessments WHERE referral_id = $1 ORDER BY version", referral_id
        )
        return tuple(row["assessment_id"] for row in rows)

    async def add_assessment(self, assessment: ProgrammeAssessment) -> None:
        await self._written()
        await self._db.execute(_ADD_ASSESSMENT, json_rows([_assessment_row(assessment)]))

    # -- case notes ------------------------------------------------------------------------------------------

    async def add_note(self, note: CaseNote) -> bool:
        """Keep the note; False when a note with its id exists already (sent again)."""
        await self._written()
        added = await self._db.fetchval(_ADD_NOTE + " RETURNING true", json_rows([_note_row(note)]))
        return bool(added)

    async def notes_of(self, referral_id: UUID) -> list[CaseNote]:
        rows = await self._db.fetch(
            f"SELECT {', '.join(NOTES)} FROM case_notes WHERE referral_id = $1 ORDER BY written_at, note_id",
            referral_id,
        )
        return [CaseNote(**{**dict(row), "author": NoteAuthor(row["author"])}) for row in rows]

    # -- safeguarding concerns -------------------------------------------------------------------------------

    async def add_concern(self, concern: Concern) -> bool:
        """Keep the concern; False when one with its id exists already (sent again)."""
        await self._written()
        return bool(await self._db.fetchval(_ADD_CONCERN, json_rows([_concern_row(concern)])))

    async def concern(self, concern_id: UUID, *, for_update: bool = False) -> Concern | None:
        row = await self._db.fetchrow(
            f"SELECT {', '.join(CONCERNS)} FROM concerns WHERE concern_id = $1" + (" FOR UPDATE" if for_update else ""),
            concern_id,
        )
        return None if row is None else _concern(row)

    async def acknowledge(self, concern: Concern) -> None:
        await self._db.execute(
            "UPDATE concerns SET acknowledged_by = $2, acknowledged_at = $3 WHERE concern_id = $1",
            concern.concern_id,
            concern.acknowledged_by,
            concern.acknowledged_at,
        )

    async def concerns(self, *, force_id: str | None, waiting_only: bool, limit: int) -> list[Concern]:
        """Concerns, newest first: of one force (None: every force), only those no one has taken on yet if asked."""
        rows = await self._db.fetch(
            f"SELECT {', '.join(CONCERNS)} FROM concerns WHERE ($1::text IS NULL OR force_id = $1)"
            " AND (NOT $2 OR acknowledged_by IS NULL) ORDER BY raised_at DESC LIMIT $3",
            force_id,
            waiting_only,
            limit,
        )
        return [_concern(row) for row in rows]

    # -- reminders -------------------------------------------------------------------------------------------

    def plan_reminder(self, reminder: Reminder, *, now: datetime) -> None:
        """Keep the reminder for an appointment when the transaction flushes (one per appointment: the first plan
        stands, as the queued row is skipped where one is there already)."""
        row = _reminder_row(reminder, now)
        self._writes.add(
            "reminders", tuple(REMINDERS), [tuple(row[name] for name in REMINDERS)], types=tuple(REMINDERS.values())
        )

    async def save_reminders(self, reminders: list[Reminder], *, now: datetime) -> None:
        if reminders:
            await self._db.execute(_SAVE_REMINDERS, json_rows([_reminder_row(r, now) for r in reminders]))

    async def due_reminders(self, now: datetime, *, limit: int) -> list[Reminder]:
        """Reminders due to be sent, taken (locked) from other replicas' sweeps."""
        rows = await self._db.fetch(
            f"SELECT {', '.join(REMINDERS)} FROM reminders WHERE status = 'pending' AND due_at <= $1"
            " ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            now,
            limit,
        )
        return [_reminder(row) for row in rows]

    async def reminders_in_flight(self, before: datetime, *, limit: int) -> list[Reminder]:
        """Reminders handed to Notify whose status was last looked at before `before`, locked as above."""
        rows = await self._db.fetch(
            f"SELECT {', '.join(REMINDERS)} FROM reminders WHERE status = 'sending' AND updated_at <= $1"
            " ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            before,
            limit,
        )
        return [_reminder(row) for row in rows]

    async def referral_standing(self, referral_id: UUID) -> ReferralStanding | None:
        row = await self._db.fetchrow(
            "SELECT status, missed, agency_id FROM referrals WHERE referral_id = $1", referral_id
        )
        if row is None:
            return None
        return ReferralStanding(ReferralStatus(row["status"]), frozenset(row["missed"]), row["agency_id"])

    async def sealed_contact(self, referral_id: UUID) -> dict[str, str]:
        """The sealed phone number and email the referral's agency was given (what a reminder may use)."""
        raw = await self._db.fetchval(
            "SELECT details FROM referral_personal_details WHERE referral_id = $1", referral_id
        )
        details = {} if raw is None else json.loads(raw)
        return {name: details[name] for name in ("phone", "email") if details.get(name)}

    async def reminders_of(self, referral_id: UUID) -> list[Reminder]:
        await self._written()
        rows = await self._db.fetch(
            f"SELECT {', '.join(REMINDERS)} FROM reminders WHERE referral_id = $1 ORDER BY scheduled_for", referral_id
        )
        return [_reminder(row) for row in rows]


# -- rows ---------------------------------------------------------------------------------------------------------


def _checked(row: dict, columns: Mapping[str, str]) -> dict:
    assert row.keys() == columns.keys(), f"a row must name exactly the table's columns: {sorted(row.keys() ^ columns)}"
    return row


def _work_row(work: ReferralWork, now: datetime) -> dict:
    report = work.report
    return _checked(
        {
            "referral_id": work.referral_id,
            "case_id": work.case_id,
            "agency_id": work.agency_id,
            "caseworker": work.caseworker,
            "first_contact_at": work.first_contact_at,
            "first_contact_method": _value(work.first_contact_method),
            "first_contact_due": work.first_contact_due,
            "report": None
            if report is None
            else {
                "needs": [[need.value, outcome.value] for need, outcome in report.needs],
                "goals": [[g.need.value, g.goal, g.outcome.value] for g in report.goals],
                "summary": report.summary,
                "submitted_at": report.submitted_at.isoformat(),
            },
            "sequence": work.sequence,
            "updated_at": now,
        },
        WORK,
    )


def _plan_row(referral_id: UUID, plan: ActionPlan) -> dict:
    return _checked(
        {
            "plan_id": plan.plan_id,
            "referral_id": referral_id,
            "version": plan.version,
            "activities": [[item.need.value, item.text] for item in plan.activities],
            "goals": [[item.need.value, item.text] for item in plan.goals],
            "sessions_planned": plan.sessions_planned,
            "submitted_at": plan.submitted_at,
            "status": plan.status.value,
            "decided_by": plan.decided_by,
            "decided_at": plan.decided_at,
            "reason": plan.reason,
        },
        PLANS,
    )


def _session_row(referral_id: UUID, session: Session) -> dict:
    return _checked(
        {
            "referral_id": referral_id,
            "appointment_id": session.appointment_id,
            "engagement": session.engagement.value,
            "concerning_behaviour": session.concerning_behaviour,
            "notes": session.notes,
            "recorded_at": session.recorded_at,
        },
        SESSIONS,
    )


def _assessment_row(assessment: ProgrammeAssessment) -> dict:
    return _checked(
        {
            **vars(assessment),
            "needs": [[n.category.value, n.severity.value, n.onward.value] for n in assessment.needs],
        },
        ASSESSMENTS,
    )


def _note_row(note: CaseNote) -> dict:
    return _checked({**vars(note), "author": note.author.value}, NOTES)


def _concern_row(concern: Concern) -> dict:
    return _checked({**vars(concern), "kind": concern.kind.value, "urgency": concern.urgency.value}, CONCERNS)


def _reminder_row(reminder: Reminder, now: datetime) -> dict:
    return _checked(
        {
            **vars(reminder),
            "status": reminder.status.value,
            "channel": _value(reminder.channel),
            "updated_at": now,
        },
        REMINDERS,
    )


def _plan(row: asyncpg.Record) -> ActionPlan:
    return ActionPlan(
        plan_id=row["plan_id"],
        version=row["version"],
        activities=_items(row["activities"]),
        goals=_items(row["goals"]),
        sessions_planned=row["sessions_planned"],
        submitted_at=row["submitted_at"],
        status=PlanStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        reason=row["reason"],
    )


def _items(raw: str) -> tuple[PlanItem, ...]:
    return tuple(PlanItem(NeedCategory(need), text) for need, text in json.loads(raw))


def _session(row: asyncpg.Record) -> Session:
    return Session(
        row["appointment_id"],
        Engagement(row["engagement"]),
        row["concerning_behaviour"],
        row["notes"],
        row["recorded_at"],
    )


def _report(raw: str | None) -> EndOfServiceReport | None:
    if raw is None:
        return None
    stored = json.loads(raw)
    return EndOfServiceReport(
        needs=tuple((NeedCategory(need), GoalOutcome(outcome)) for need, outcome in stored["needs"]),
        goals=tuple(GoalMet(NeedCategory(need), goal, GoalOutcome(outcome)) for need, goal, outcome in stored["goals"]),
        summary=stored["summary"],
        submitted_at=datetime.fromisoformat(stored["submitted_at"]),
    )


def _concern(row: asyncpg.Record) -> Concern:
    return Concern(**{**dict(row), "kind": ConcernKind(row["kind"]), "urgency": Urgency(row["urgency"])})


def _reminder(row: asyncpg.Record) -> Reminder:
    values = {name: value for name, value in row.items() if name != "updated_at"}
    return Reminder(
        **{
            **values,
            "status": ReminderStatus(values["status"]),
            "channel": _member(ReminderChannel, values["channel"]),
        }
    )


def _value(member) -> str | None:
    return None if member is None else member.value


def _member(enum, value):
    return None if value is None else enum(value)
