"""The router's state in its own schema: the cases it places needs for (with their needs and conditions),
the referrals it placed, who declined what, and every disclosure.

A referral's and a case's `status` after placement are compliance's, followed here from its events;
`sequence` records the last change applied, so an older or repeated event changes nothing.

The store works on its transaction's `RouterBatch` (see `router_batch`): a consumer batch is loaded once,
its events change that state in memory, and it is written when the transaction flushes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID

import asyncpg

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from platform_plumbing.pending_writes import PendingWrites
from schemas.events import CaseCondition, NeedFound
from schemas.parts import OfficerContact
from schemas.vocabulary import (
    CaseStatus,
    DashRiskLevel,
    DeliveryMode,
    DisposalType,
    NeedCategory,
    OnwardReferral,
    ReferralStatus,
    RiskLevel,
    SafeguardingFlag,
    Severity,
    Sex,
)
from services.referral_router.adapters.router_batch import OpenedCase, RouterBatch
from services.referral_router.domain.entities import Referral, RoutedCase, Safety, TrackedCondition
from services.referral_router.domain.matching import Need, Person


def needs_from_json(raw: str) -> tuple[Need, ...]:
    return tuple(
        Need(
            NeedCategory(n["category"]),
            Severity(n["severity"]),
            DeliveryMode(n["preferred_mode"]) if n["preferred_mode"] else None,
        )
        for n in json.loads(raw)
    )


class RouterStore:
    def __init__(self, connection: asyncpg.Connection, writes: PendingWrites, batch: RouterBatch | None = None) -> None:
        """`writes`: the transaction's pending writes (the audit trail's rows, and this store's own, which it
        registers there); `batch`: what the transaction knows (a consumer batch's, shared by its records)."""
        self._db = connection
        self._writes = writes
        self._batch = RouterBatch() if batch is None else batch

    def _will_write(self) -> None:
        self._writes.before_flush(self._batch.write)

    async def _written(self) -> None:
        """Before a read the batch's memory cannot answer: write what is pending, so the database is whole."""
        if self._batch.unwritten:
            await self._writes.flush(self._db)

    # -- cases --------------------------------------------------------------------------------------------

    async def add_case(self, case: RoutedCase, personal: dict | None, *, opened_at: datetime) -> bool:
        """Add the case unless it is known already (a replay); False then."""
        batch = self._batch
        if case.case_id not in batch.looked_up:
            batch.looked_up.add(case.case_id)
            if await self._db.fetchval("SELECT true FROM cases WHERE case_id = $1", case.case_id):
                batch.existing.add(case.case_id)
        if case.case_id in batch.existing or case.case_id in batch.opened:
            return False
        self._will_write()
        batch.opened[case.case_id] = OpenedCase(case, opened_at, personal)
        return True

    async def case(self, case_id: UUID, *, for_update: bool = False) -> RoutedCase | None:
        if (opened := self._batch.opened.get(case_id)) is not None:
            return opened.case
        await self._written()
        row = await self._db.fetchrow(
            "SELECT * FROM cases WHERE case_id = $1" + (" FOR UPDATE" if for_update else ""), case_id
        )
        if row is None:
            return None
        person = Person(
            age=row["age"],
            sex=Sex(row["sex"]),
            area=row["area"],
            disposal=DisposalType(row["disposal_type"]),
            domestic_abuse=row["domestic_abuse"],
            dash_risk=DashRiskLevel(row["dash_risk"]) if row["dash_risk"] else None,
            youth_offending_team=row["youth_offending_team"],
        )
        return RoutedCase(
            row["case_id"],
            person,
            CaseStatus(row["status"]),
            row["complete_by"],
            row["sequence"],
            _safety(row["safety"]),
        )

    def follow_case(self, case_id: UUID, status: CaseStatus, sequence: int) -> None:
        """Apply compliance's change to the case if it is newer than the last one applied."""
        self._will_write()
        if (opened := self._batch.opened.get(case_id)) is not None:
            if sequence > opened.case.sequence:
                opened.case = replace(opened.case, status=status, sequence=sequence)
            return
        newest = self._batch.case_changes.get(case_id)
        if newest is None or sequence > newest[1]:
            self._batch.case_changes[case_id] = (status, sequence)

    async def set_deadline(self, case_id: UUID, complete_by: date) -> None:
        if (opened := self._batch.opened.get(case_id)) is not None:
            opened.case = replace(opened.case, complete_by=complete_by)
            return
        await self._written()
        await self._db.execute("UPDATE cases SET complete_by = $2 WHERE case_id = $1", case_id, complete_by)

    async def personal_details(self, case_id: UUID) -> dict | None:
        if (opened := self._batch.opened.get(case_id)) is not None:
            return opened.personal
        await self._written()
        raw = await self._db.fetchval("SELECT details FROM case_personal_details WHERE case_id = $1", case_id)
        return None if raw is None else json.loads(raw)

    # -- needs and conditions -----------------------------------------------------------------------------

    async def current_needs(self, case_id: UUID) -> tuple[Need, ...]:
        if (opened := self._batch.opened.get(case_id)) is not None:
            return tuple(sorted(opened.needs, key=lambda need: need.category.value))
        await self._written()
        rows = await self._db.fetch(
            "SELECT category, severity, preferred_mode FROM case_needs WHERE case_id = $1 ORDER BY category", case_id
        )
        return tuple(
            Need(
                NeedCategory(r["category"]),
                Severity(r["severity"]),
                DeliveryMode(r["preferred_mode"]) if r["preferred_mode"] else None,
            )
            for r in rows
        )

    async def replace_needs(self, case_id: UUID, needs: tuple[Need, ...]) -> None:
        if (opened := self._batch.opened.get(case_id)) is not None:
            opened.needs = needs
            return
        await self._written()
        await self._db.execute("DELETE FROM case_needs WHERE case_id = $1", case_id)
        await self._db.executemany(
            "INSERT INTO case_needs (case_id, category, severity, preferred_mode) VALUES ($1, $2, $3, $4)",
            [
                (case_id, n.category.value, n.severity.value, n.preferred_mode.value if n.preferred_mode else None)
                for n in needs
            ],
        )

    async def add_conditions(self, case_id: UUID, conditions: list[CaseCondition]) -> None:
        """The police's terms of these conditions (their status may have come first, from compliance)."""
        if (opened := self._batch.opened.get(case_id)) is not None:
            for c in conditions:
                known = opened.conditions.get(c.condition_id, TrackedCondition(c.condition_id, None))
                opened.conditions[c.condition_id] = replace(known, terms=c)
            return
        await self._written()
        await self._db.executemany(
            "INSERT INTO case_conditions (condition_id, case_id, terms) VALUES ($1, $2, $3)"
            " ON CONFLICT (condition_id) DO UPDATE SET terms = EXCLUDED.terms",
            [(c.condition_id, case_id, c.model_dump_json()) for c in conditions],
        )

    def note_condition(self, case_id: UUID, condition_id: UUID, status: str, sequence: int) -> None:
        """Apply compliance's change to a condition if newer; ignored for a case not opened here (yet)."""
        self._will_write()
        if (opened := self._batch.opened.get(case_id)) is not None:
            known = opened.conditions.get(condition_id, TrackedCondition(condition_id, None))
            if sequence > known.sequence:
                opened.conditions[condition_id] = replace(known, status=status, sequence=sequence)
            return
        newest = self._batch.condition_changes.get(condition_id)
        if newest is None or sequence > newest[2]:
            self._batch.condition_changes[condition_id] = (case_id, status, sequence)

    async def follow_condition(self, case_id: UUID, condition_id: UUID, status: str, sequence: int) -> bool:
        """Apply compliance's change to a condition now, saying whether it was newer than the one held."""
        if (opened := self._batch.opened.get(case_id)) is not None:
            known = opened.conditions.get(condition_id, TrackedCondition(condition_id, None))
            self.note_condition(case_id, condition_id, status, sequence)
            return sequence > known.sequence
        await self._written()
        updated = await self._db.fetchval(
            "INSERT INTO case_conditions AS c (condition_id, case_id, status, sequence)"
            " SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM cases WHERE case_id = $2)"
            " ON CONFLICT (condition_id) DO UPDATE SET status = EXCLUDED.status, sequence = EXCLUDED.sequence"
            " WHERE c.sequence < EXCLUDED.sequence RETURNING true",
            condition_id,
            case_id,
            status,
            sequence,
        )
        return bool(updated)

    async def conditions(self, case_id: UUID) -> list[TrackedCondition]:
        if (opened := self._batch.opened.get(case_id)) is not None:
            return [opened.conditions[condition_id] for condition_id in sorted(opened.conditions)]
        await self._written()
        rows = await self._db.fetch(
            "SELECT condition_id, terms, status, sequence FROM case_conditions WHERE case_id = $1"
            " ORDER BY condition_id",
            case_id,
        )
        return [
            TrackedCondition(
                row["condition_id"],
                CaseCondition.model_validate_json(row["terms"]) if row["terms"] else None,
                row["status"],
                row["sequence"],
            )
            for row in rows
        ]

    async def record_assessment(
        self, found_by: UUID, case_id: UUID, agency_id: str, version: int, needs: tuple[NeedFound, ...], at: datetime
    ) -> bool:
        """Keep a programme's assessment (made while it held `found_by`) unless a later one is held; say whether."""
        await self._written()
        kept = await self._db.fetchval(
            "INSERT INTO programme_assessments AS a (found_by, case_id, agency_id, version, assessed_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (found_by) DO UPDATE SET version = EXCLUDED.version,"
            " assessed_at = EXCLUDED.assessed_at WHERE a.version < EXCLUDED.version RETURNING true",
            found_by,
            case_id,
            agency_id,
            version,
            at,
        )
        if not kept:
            return False
        await self._db.execute("DELETE FROM found_needs WHERE found_by = $1", found_by)
        await self._db.executemany(
            "INSERT INTO found_needs (found_by, category, severity, onward) VALUES ($1, $2, $3, $4)",
            [(found_by, n.category.value, n.severity.value, n.onward.value) for n in needs],
        )
        return True

    async def onward_needs(self, case_id: UUID) -> tuple[Need, ...]:
        """The needs the case's agencies found and the person agreed to be referred onward for, oldest first."""
        if case_id in self._batch.opened:
            return ()
        await self._written()
        rows = await self._db.fetch(
            "SELECT a.found_by, a.agency_id, n.category, n.severity FROM programme_assessments a"
            " JOIN found_needs n USING (found_by) WHERE a.case_id = $1 AND n.onward = $2"
            " ORDER BY a.assessed_at, a.found_by, n.category",
            case_id,
            OnwardReferral.CONSENTED.value,
        )
        return tuple(
            Need(
                NeedCategory(r["category"]),
                Severity(r["severity"]),
                onward_from=r["found_by"],
                found_by=r["agency_id"],
            )
            for r in rows
        )

    async def consented(self, found_by: UUID, needs: tuple[Need, ...]) -> bool:
        """Whether the person agreed, in the latest assessment made on `found_by`, to be referred onward for all of
        `needs` (checked again at the moment their details would be disclosed)."""
        await self._written()
        agreed = await self._db.fetchval(
            "SELECT count(*) FROM found_needs WHERE found_by = $1 AND category = ANY($2::text[]) AND onward = $3",
            found_by,
            [n.category.value for n in needs],
            OnwardReferral.CONSENTED.value,
        )
        return agreed == len({n.category for n in needs})

    # -- referrals ----------------------------------------------------------------------------------------

    def add_referral(self, referral: Referral, *, now: datetime) -> None:
        self._will_write()
        self._batch.placed.add(referral.referral_id)
        self._batch.created_at[referral.referral_id] = now
        self._batch.keep(referral)

    async def referral(self, referral_id: UUID, *, for_update: bool = False) -> Referral | None:
        """The referral as this transaction holds it (the batch's are read locked); read, and locked when
        `for_update`, if it holds none."""
        if (known := self._batch.referrals.get(referral_id)) is not None:
            return known
        row = await self._db.fetchrow(
            "SELECT * FROM referrals WHERE referral_id = $1" + (" FOR UPDATE" if for_update else ""), referral_id
        )
        return None if row is None else self._batch.remember(_referral(row))

    async def referrals_of_case(self, case_id: UUID) -> list[Referral]:
        batch = self._batch
        if case_id in batch.opened:
            placed = [r for r in batch.referrals.values() if r.case_id == case_id]
            return sorted(placed, key=lambda r: (batch.created_at[r.referral_id], r.referral_id))
        await self._written()
        rows = await self._db.fetch(
            "SELECT * FROM referrals WHERE case_id = $1 ORDER BY created_at, referral_id FOR UPDATE", case_id
        )
        return [batch.remember(_referral(row)) for row in rows]

    def follow_referral(self, referral_id: UUID, status: ReferralStatus, sequence: int, *, now: datetime) -> bool:
        """Apply compliance's change to the referral (read by `referral` first) if it is newer than the last one
        applied; say whether it was."""
        if sequence <= self._batch.referrals[referral_id].sequence:
            return False
        self._will_write()
        self._batch.change(referral_id, now, status=status, sequence=sequence)
        return True

    def note_sequence(self, referral_id: UUID, sequence: int, *, now: datetime) -> None:
        """Compliance echoed a placement the router made: nothing to change but the count."""
        if sequence > self._batch.referrals[referral_id].sequence:
            self._will_write()
            self._batch.change(referral_id, now, sequence=sequence)

    def mark_issued(self, referral_id: UUID, *, issued_at: datetime, respond_by: datetime) -> None:
        self._will_write()
        self._batch.change(
            referral_id, issued_at, status=ReferralStatus.ISSUED, issued_at=issued_at, respond_by=respond_by
        )

    async def agency_load(self) -> dict[str, int]:
        """Active referrals per agency: the counter a trigger keeps (migration 0002), read once per transaction,
        plus what this transaction changed since (checked still true when it is written, see `router_batch`)."""
        if self._batch.load_read is None:
            self._batch.load_read = await _agency_load(self._db)
        return self._batch.load()

    async def queued_for(self, agency_id: str, *, limit: int) -> list[Referral]:
        """The agency's queued referrals, oldest first: those in the database as this transaction holds them,
        and those it queued itself."""
        batch = self._batch
        rows = []
        if batch.queued_read is None or agency_id in batch.queued_read:
            rows = await self._db.fetch(
                "SELECT * FROM referrals WHERE status = 'queued' AND agency_id = $1 ORDER BY created_at"
                " LIMIT $2 FOR UPDATE SKIP LOCKED",
                agency_id,
                limit + len(batch.changed),
            )
        read = [(row["created_at"], batch.remember(_referral(row))) for row in rows]
        placed = [(batch.created_at[r], batch.referrals[r]) for r in batch.placed]
        queued = {
            referral.referral_id: (created, referral)
            for created, referral in read + placed
            if referral.status == ReferralStatus.QUEUED and referral.agency_id == agency_id
        }
        return [referral for _, referral in sorted(queued.values(), key=lambda q: (q[0], q[1].referral_id))][:limit]

    async def exclude(self, case_id: UUID, needs: tuple[Need, ...], agency_id: str) -> None:
        await self._written()
        await self._db.executemany(
            "INSERT INTO exclusions (case_id, category, agency_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [(case_id, n.category.value, agency_id) for n in needs],
        )

    async def exclusions(self, case_id: UUID) -> dict[NeedCategory, frozenset[str]]:
        if case_id in self._batch.opened:
            return {}  # nobody declined a case this transaction has just added
        await self._written()
        rows = await self._db.fetch("SELECT category, agency_id FROM exclusions WHERE case_id = $1", case_id)
        result: dict[NeedCategory, set[str]] = {}
        for row in rows:
            result.setdefault(NeedCategory(row["category"]), set()).add(row["agency_id"])
        return {category: frozenset(agencies) for category, agencies in result.items()}

    def record_disclosure(self, referral: Referral, fields: list[str], *, why: str, at: datetime) -> None:
        """The referral's issue told its agency `fields` of the person's data: into the audit trail."""
        disclosure = AuditEntry(
            actor="referral-router",
            action=Action.DISCLOSURE,
            purpose=Purpose.REFERRAL,
            at=at,
            case_id=referral.case_id,
            referral_id=referral.referral_id,
            recipient=referral.agency_id,
            fields=tuple(fields),
            detail=why,
        )
        audit_trail.queue(self._writes, disclosure)


async def load_batch(
    connection: asyncpg.Connection, opened: set[UUID], followed: set[UUID], capacity: dict[str, int]
) -> RouterBatch:
    """A consumer batch's state: the agencies' load (unlocked: the counters the batch changes are locked and
    checked against `capacity` when it is written, see `router_batch`), which of the `opened` cases exist
    already, and the `followed` referrals, locked in id order."""
    batch = RouterBatch(capacity=capacity, load_read=await _agency_load(connection))
    rows = await connection.fetch("SELECT DISTINCT agency_id FROM referrals WHERE status = 'queued'")
    batch.queued_read = {row["agency_id"] for row in rows}
    if opened:
        rows = await connection.fetch("SELECT case_id FROM cases WHERE case_id = ANY($1::uuid[])", list(opened))
        batch.looked_up |= opened
        batch.existing |= {row["case_id"] for row in rows}
    if followed:
        rows = await connection.fetch(
            "SELECT * FROM referrals WHERE referral_id = ANY($1::uuid[]) ORDER BY referral_id FOR UPDATE",
            list(followed),
        )
        for row in rows:
            batch.remember(_referral(row))
    return batch


async def _agency_load(connection: asyncpg.Connection) -> dict[str, int]:
    rows = await connection.fetch("SELECT agency_id, active FROM agency_load")
    return {row["agency_id"]: row["active"] for row in rows}


def _referral(row: asyncpg.Record | None) -> Referral | None:
    if row is None:
        return None
    return Referral(
        referral_id=row["referral_id"],
        case_id=row["case_id"],
        agency_id=row["agency_id"],
        needs=needs_from_json(row["needs"]),
        delivery_mode=DeliveryMode(row["delivery_mode"]),
        status=ReferralStatus(row["status"]),
        explanation=row["explanation"],
        candidates=json.loads(row["candidates"]),
        issued_at=row["issued_at"],
        respond_by=row["respond_by"],
        replaces=tuple(row["replaces"]),
        sequence=row["sequence"],
        onward_from=row["onward_from"],
    )


def _safety(raw: str | None) -> Safety:
    if raw is None:
        return Safety()
    stored = json.loads(raw)
    return Safety(
        risk_of_harm=RiskLevel(stored["risk_of_harm"]) if stored.get("risk_of_harm") else None,
        safeguarding_flags=tuple(SafeguardingFlag(flag) for flag in stored.get("safeguarding_flags", ())),
        officer=OfficerContact.model_validate(stored["officer"]) if stored.get("officer") else None,
    )
