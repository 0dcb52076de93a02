"""Outcome figures from compliance's read model, for the operations team and the police.

Compliance (or completion) rate = cases completed ÷ cases concluded (completed, breached or not
completed), by disposal, agency, need, offence category or month of decision. Reoffending =
share of diverted people named in a new investigation within 24 months of their diversion, by
disposal or by programme (the agency that worked with them, e.g. the DA perpetrator programme).
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


async def compliance_rates(db: asyncpg.Pool | asyncpg.Connection, by: ComplianceDimension) -> list[dict]:
    group, source = _GROUP[by], _FROM.get(by, "cases c")
    rows = await db.fetch(
        f"SELECT {group} AS grp,"
        " count(DISTINCT c.case_id) FILTER (WHERE c.status = 'completed') AS completed,"
        " count(DISTINCT c.case_id) FILTER (WHERE c.status = 'breached') AS breached,"
        " count(DISTINCT c.case_id) FILTER (WHERE c.status = 'non_completion') AS not_completed,"
        " count(DISTINCT c.case_id) FILTER (WHERE c.status = 'open') AS open"
        f" FROM {source} GROUP BY grp ORDER BY grp"
    )
    result = []
    for row in rows:
        concluded = row["completed"] + row["breached"] + row["not_completed"]
        result.append(
            {
                "group": row["grp"],
                **{k: row[k] for k in ("completed", "breached", "not_completed", "open")},
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
        "   SELECT 1 FROM reoffending_signals s WHERE s.subject_ref = c.subject_ref"
        "   AND s.named_on > c.decided_at::date AND s.named_on <= (c.decided_at + interval '24 months')::date"
        " )) AS named"
        f" FROM {source} WHERE c.status <> 'withdrawn' GROUP BY grp ORDER BY grp"
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


async def breaches_awaiting_police(db: asyncpg.Pool | asyncpg.Connection, *, limit: int = 200) -> list[dict]:
    """Breached cautions, newest first: the police decide what follows (prosecution, penalty, excuse)."""
    rows = await db.fetch(
        "SELECT case_id, force_id, police_reference, disposal_type, outcome_reason AS reason, outcome_at AS breached_at"
        " FROM cases WHERE status = 'breached' ORDER BY outcome_at DESC LIMIT $1",
        limit,
    )
    return [dict(row) for row in rows]
