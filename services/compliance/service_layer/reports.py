"""Outcome figures from compliance's read model, for the operations team and the police.

Compliance (or completion) rate = cases completed ÷ cases concluded one way or the other (completed,
breached or not completed), by disposal, agency, need, offence category or month of decision. A case
that could not be complied with because no agency could take the person is counted apart, never
as a breach. Reoffending = share of diverted people named in a new investigation within 24 months of
their diversion, by disposal or by programme (the agency that worked with them).
"""

from __future__ import annotations

from enum import StrEnum

import asyncpg


class ComplianceDimension(StrEnum):
    DISPOSAL = "disposal"
    AGENCY = "agency"
    NEED = "need"
    OFFENCE = "offence"
    MONTH = "month"


class ReoffendingDimension(StrEnum):
    DISPOSAL = "disposal"
    PROGRAMME = "programme"


_GROUP = {
    ComplianceDimension.DISPOSAL: "c.disposal_type",
    ComplianceDimension.OFFENCE: "c.offence_category",
    ComplianceDimension.MONTH: "to_char(c.decided_at, 'YYYY-MM')",
    ComplianceDimension.AGENCY: "r.agency_id",
    ComplianceDimension.NEED: "need",
}
_FROM = {
    ComplianceDimension.AGENCY: "cases c JOIN referrals r USING (case_id)",
    ComplianceDimension.NEED: "cases c JOIN referrals r USING (case_id) CROSS JOIN LATERAL unnest(r.needs) AS need",
}
_AFTER_BREACH = "('awaiting_police_decision', 'breached', 'prosecuted', 'no_further_action')"
_NO_PLACE = "c.reason IS NOT DISTINCT FROM 'no_place_available'"
_COUNTS = {
    "completed": "c.status = 'completed'",
    "breached": f"c.status IN {_AFTER_BREACH} AND NOT {_NO_PLACE}",
    "not_completed": "c.status = 'not_completed'",
    "no_place_available": f"c.status IN {_AFTER_BREACH} AND {_NO_PLACE}",
    "open": "c.status = 'open'",
    "withdrawn": "c.status = 'withdrawn'",
}


async def compliance_rates(db: asyncpg.Pool | asyncpg.Connection, by: ComplianceDimension) -> list[dict]:
    group, source = _GROUP[by], _FROM.get(by, "cases c")
    counts = ", ".join(f"count(DISTINCT c.case_id) FILTER (WHERE {where}) AS {name}" for name, where in _COUNTS.items())
    rows = await db.fetch(f"SELECT {group} AS grp, {counts} FROM {source} GROUP BY grp ORDER BY grp")
    result = []
    for row in rows:
        concluded = row["completed"] + row["breached"] + row["not_completed"]
        result.append(
            {
                "group": row["grp"],
                **{name: row[name] for name in _COUNTS},
                "concluded": concluded,
                "rate": round(row["completed"] / concluded, 4) if concluded else None,
            }
        )
    return result


async def reoffending_within_24_months(db: asyncpg.Pool | asyncpg.Connection, by: ReoffendingDimension) -> list[dict]:
    group = "c.disposal_type" if by == ReoffendingDimension.DISPOSAL else "r.agency_id"
    source = "cases c" if by == ReoffendingDimension.DISPOSAL else "cases c JOIN referrals r USING (case_id)"
    rows = await db.fetch(
        f"SELECT {group} AS grp, count(DISTINCT c.subject_ref) AS diverted,"
        " count(DISTINCT c.subject_ref) FILTER (WHERE EXISTS ("
        "   SELECT 1 FROM reoffending_signals s WHERE s.force_id = c.force_id AND s.subject_ref = c.subject_ref"
        "   AND s.named_on > c.decided_at::date AND s.named_on <= (c.decided_at + interval '24 months')::date"
        " )) AS named"
        f" FROM {source} WHERE c.status <> 'withdrawn' AND {group} IS NOT NULL GROUP BY grp ORDER BY grp"
    )
    return [
        {
            "group": r["grp"],
            "diverted": r["diverted"],
            "named_within_24_months": r["named"],
            "rate": round(r["named"] / r["diverted"], 4) if r["diverted"] else None,
        }
        for r in rows
    ]


async def awaiting_police(db: asyncpg.Pool | asyncpg.Connection, *, limit: int = 200) -> list[dict]:
    """Cases waiting for a police decision (breached, or unable to comply), longest waiting first."""
    rows = await db.fetch(
        "SELECT case_id, force_id, police_reference, disposal_type, status, reason, next_step, outcome_at AS since,"
        " sequence AS breach_sequence FROM cases WHERE status IN ('awaiting_police_decision', 'breached')"
        " ORDER BY outcome_at, case_id LIMIT $1",
        limit,
    )
    return [dict(row) for row in rows]


async def conditions_by_kind(db: asyncpg.Pool | asyncpg.Connection) -> list[dict]:
    statuses = ("open", "met", "breached", "varied", "cancelled")
    counts = ", ".join(f"count(*) FILTER (WHERE status = '{s}') AS {s}" for s in statuses)
    rows = await db.fetch(f"SELECT kind, {counts} FROM conditions GROUP BY kind ORDER BY kind")
    return [dict(row) for row in rows]


async def police_decisions(db: asyncpg.Pool | asyncpg.Connection) -> list[dict]:
    rows = await db.fetch(
        "SELECT decision, breach_reason, count(*) AS decisions FROM police_decisions WHERE applied"
        " GROUP BY decision, breach_reason ORDER BY decision, breach_reason"
    )
    return [dict(row) for row in rows]
