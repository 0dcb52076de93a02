"""The router's state in its own schema: the cases it places needs for (with their needs and conditions),
the referrals it placed, who declined what, and every disclosure.

A referral's and a case's `status` after placement are compliance's, followed here from its events;
`sequence` records the last change applied, so an older or repeated event changes nothing.

Placing a case the router has just been told of reads back everything it has just written (its needs,
conditions, referrals, the person's details). The store remembers what it wrote of a case it added
(`_Fresh`) and answers those reads from memory; any other change in the same unit of work makes it
forget and read the database again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

import asyncpg

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from platform_plumbing.pending_writes import PendingWrites
from schemas.events import CaseCondition
from schemas.vocabulary import (
    CaseStatus,
    DashRiskLevel,
    DeliveryMode,
    DisposalType,
    NeedCategory,
    ReferralStatus,
    Severity,
    Sex,
)
from services.referral_router.domain.entities import Referral, RoutedCase, TrackedCondition
from services.referral_router.domain.matching import Need, Person

CAPACITY_LOCK = 0x5EFE_7A15  # advisory lock key: "capacity decisions of the referral router"


def needs_to_json(needs: tuple[Need, ...] | list[Need]) -> str:
    return json.dumps(
        [
            {
                "category": n.category.value,
                "severity": n.severity.value,
                "preferred_mode": n.preferred_mode.value if n.preferred_mode else None,
            }
            for n in needs
        ]
    )


def needs_from_json(raw: str) -> tuple[Need, ...]:
    return tuple(
        Need(
            NeedCategory(n["category"]),
            Severity(n["severity"]),
            DeliveryMode(n["preferred_mode"]) if n["preferred_mode"] else None,
        )
        for n in json.loads(raw)
    )


@dataclass
class _Fresh:
    """All there is of a case added by this unit of work: what it wrote, as the database would return it."""

    personal: dict | None
    needs: tuple[Need, ...] = ()
    conditions: dict[UUID, TrackedCondition] = field(default_factory=dict)
    referrals: list[tuple[datetime, Referral]] = field(default_factory=list)


class RouterStore:
    def __init__(self, connection: asyncpg.Connection, writes: PendingWrites) -> None:
        """`writes`: where the audit trail's rows are queued until the transaction flushes."""
        self._db = connection
        self._writes = writes
        self._fresh: dict[UUID, _Fresh] = {}

    def _changed_otherwise(self) -> None:
        """A change other than the fresh cases' own writes: their memory may no longer be the whole truth."""
        self._fresh.clear()

    # -- cases --------------------------------------------------------------------------------------------

    async def add_case(self, case: RoutedCase, personal: dict | None, *, opened_at: datetime) -> bool:
        p = case.person
        added = await self._db.fetchval(
            "INSERT INTO cases (case_id, disposal_type, age, sex, area, domestic_abuse, dash_risk,"
            " youth_offending_team, status, opened_at, complete_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            " ON CONFLICT (case_id) DO NOTHING RETURNING true",
            case.case_id,
            p.disposal.value,
            p.age,
            p.sex.value,
            p.area,
            p.domestic_abuse,
            p.dash_risk.value if p.dash_risk else None,
            p.youth_offending_team,
            case.status.value,
            opened_at,
            case.complete_by,
        )
        if added and personal is not None:
            await self._db.execute(
                "INSERT INTO case_personal_details (case_id, details) VALUES ($1, $2)",
                case.case_id,
                json.dumps(personal),
            )
        if added:
            self._fresh[case.case_id] = _Fresh(personal)
        return bool(added)

    async def case(self, case_id: UUID, *, for_update: bool = False) -> RoutedCase | None:
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
        return RoutedCase(row["case_id"], person, CaseStatus(row["status"]), row["complete_by"], row["sequence"])

    async def follow_case(self, case_id: UUID, status: CaseStatus, sequence: int) -> bool:
        """Apply compliance's change to the case if it is newer than the last one applied."""
        self._changed_otherwise()
        updated = await self._db.execute(
            "UPDATE cases SET status = $2, sequence = $3 WHERE case_id = $1 AND sequence < $3",
            case_id,
            status.value,
            sequence,
        )
        return updated.endswith(" 1")

    async def set_deadline(self, case_id: UUID, complete_by: date) -> None:
        self._changed_otherwise()
        await self._db.execute("UPDATE cases SET complete_by = $2 WHERE case_id = $1", case_id, complete_by)

    async def personal_details(self, case_id: UUID) -> dict | None:
        if (fresh := self._fresh.get(case_id)) is not None:
            return fresh.personal
        raw = await self._db.fetchval("SELECT details FROM case_personal_details WHERE case_id = $1", case_id)
        return None if raw is None else json.loads(raw)

    # -- needs and conditions -----------------------------------------------------------------------------

    async def current_needs(self, case_id: UUID) -> tuple[Need, ...]:
        if (fresh := self._fresh.get(case_id)) is not None:
            return tuple(sorted(fresh.needs, key=lambda need: need.category.value))
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
        if (fresh := self._fresh.get(case_id)) is not None:
            fresh.needs = needs
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
        if (fresh := self._fresh.get(case_id)) is not None:
            for c in conditions:
                known = fresh.conditions.get(c.condition_id)
                fresh.conditions[c.condition_id] = (
                    TrackedCondition(c.condition_id, c)
                    if known is None
                    else TrackedCondition(c.condition_id, c, known.status, known.sequence)
                )
        await self._db.executemany(
            "INSERT INTO case_conditions (condition_id, case_id, terms) VALUES ($1, $2, $3)"
            " ON CONFLICT (condition_id) DO UPDATE SET terms = EXCLUDED.terms",
            [(c.condition_id, case_id, c.model_dump_json()) for c in conditions],
        )

    async def follow_condition(self, case_id: UUID, condition_id: UUID, status: str, sequence: int) -> bool:
        """Apply compliance's change to a condition if newer; ignored for a case not opened here (yet)."""
        self._changed_otherwise()
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
        if (fresh := self._fresh.get(case_id)) is not None:
            return [fresh.conditions[condition_id] for condition_id in sorted(fresh.conditions)]
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

    # -- referrals ----------------------------------------------------------------------------------------

    async def add_referral(self, referral: Referral, *, now: datetime) -> None:
        if (fresh := self._fresh.get(referral.case_id)) is not None:
            fresh.referrals.append((now, referral))
        else:
            self._changed_otherwise()
        await self._db.execute(
            "INSERT INTO referrals (referral_id, case_id, agency_id, needs, delivery_mode, status, explanation,"
            " candidates, issued_at, respond_by, replaces, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
            referral.referral_id,
            referral.case_id,
            referral.agency_id,
            needs_to_json(referral.needs),
            referral.delivery_mode.value,
            referral.status.value,
            referral.explanation,
            json.dumps(referral.candidates),
            referral.issued_at,
            referral.respond_by,
            list(referral.replaces),
            now,
        )

    async def referral(self, referral_id: UUID, *, for_update: bool = False) -> Referral | None:
        row = await self._db.fetchrow(
            "SELECT * FROM referrals WHERE referral_id = $1" + (" FOR UPDATE" if for_update else ""), referral_id
        )
        return _referral(row)

    async def referrals_of_case(self, case_id: UUID) -> list[Referral]:
        if (fresh := self._fresh.get(case_id)) is not None:
            return [referral for _, referral in sorted(fresh.referrals, key=lambda r: (r[0], r[1].referral_id))]
        rows = await self._db.fetch(
            "SELECT * FROM referrals WHERE case_id = $1 ORDER BY created_at, referral_id FOR UPDATE", case_id
        )
        return [_referral(row) for row in rows]

    async def follow_referral(self, referral_id: UUID, status: ReferralStatus, sequence: int, *, now: datetime) -> bool:
        """Apply compliance's change to the referral if it is newer than the last one applied."""
        self._changed_otherwise()
        updated = await self._db.execute(
            "UPDATE referrals SET status = $2, sequence = $3, updated_at = $4 WHERE referral_id = $1 AND sequence < $3",
            referral_id,
            status.value,
            sequence,
            now,
        )
        return updated.endswith(" 1")

    async def note_sequence(self, referral_id: UUID, sequence: int) -> None:
        """Compliance echoed a placement the router made: nothing to change but the count."""
        self._changed_otherwise()
        await self._db.execute(
            "UPDATE referrals SET sequence = $2 WHERE referral_id = $1 AND sequence < $2", referral_id, sequence
        )

    async def mark_issued(self, referral_id: UUID, *, issued_at: datetime, respond_by: datetime) -> None:
        self._changed_otherwise()
        await self._db.execute(
            "UPDATE referrals SET status = 'issued', issued_at = $2, respond_by = $3, updated_at = $2"
            " WHERE referral_id = $1",
            referral_id,
            issued_at,
            respond_by,
        )

    async def agency_load(self) -> dict[str, int]:
        """Active referrals per agency, from the counter a trigger keeps (migration 0002)."""
        rows = await self._db.fetch("SELECT agency_id, active FROM agency_load")
        return {row["agency_id"]: row["active"] for row in rows}

    async def queued_for(self, agency_id: str, *, limit: int) -> list[Referral]:
        rows = await self._db.fetch(
            "SELECT * FROM referrals WHERE status = 'queued' AND agency_id = $1 ORDER BY created_at"
            " LIMIT $2 FOR UPDATE SKIP LOCKED",
            agency_id,
            limit,
        )
        return [_referral(row) for row in rows]

    async def exclude(self, case_id: UUID, needs: tuple[Need, ...], agency_id: str) -> None:
        self._changed_otherwise()
        await self._db.executemany(
            "INSERT INTO exclusions (case_id, category, agency_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [(case_id, n.category.value, agency_id) for n in needs],
        )

    async def exclusions(self, case_id: UUID) -> dict[NeedCategory, frozenset[str]]:
        if case_id in self._fresh:
            return {}  # nobody declined a case this unit of work has just added
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


async def lock_capacity(connection: asyncpg.Connection) -> None:
    """Serialise capacity decisions across replicas until the transaction ends.

    Taken at the start of every routing transaction, before any row lock, so all replicas take
    their locks in the same order and cannot deadlock. Capacity is read and spent only under it.
    """
    await connection.execute("SELECT pg_advisory_xact_lock($1)", CAPACITY_LOCK)


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
    )
