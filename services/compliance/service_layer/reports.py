"""Outcome figures from compliance's read model, as the force would publish them.

Compliance (or completion) rate = cases completed ÷ cases concluded one way or the other (completed, breached or
not completed), by disposal, by disposal for adults and youths apart (the source's 73% is adults'), by agency,
need, offence category or month of decision. A case that could not be complied with because no agency could take
the person is counted apart, never as a breach; a referral no agency could take is reported as such, not as a
blank agency.

Re-offending = share of diverted people named in a new investigation within 24 months of their diversion — over
the **mature cohort** only: cases decided at least 24 months before the report's day, so that everyone counted has
been followed for the whole window; the cohort's size stands beside every rate, and the people not yet followed
long enough are counted apart. By disposal, by programme (the agency that worked with them), and for the
domestic-abuse and women's programmes as cohorts (the people referred for those needs).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import asyncpg

from schemas.calendar import local_date

Db = asyncpg.Pool | asyncpg.Connection
NO_AGENCY = "no agency could take"
"""How the report names the needs that were never placed (a referral with no agency)."""
DOMESTIC_ABUSE_PROGRAMME = "da_perpetrator_programme"
WOMENS_PROGRAMME = "women_specific_support"
PROGRAMMES = {"domestic-abuse programme": DOMESTIC_ABUSE_PROGRAMME, "women's programme": WOMENS_PROGRAMME}
"""The programmes reported as cohorts, by the need that puts a person in them."""


class ComplianceDimension(StrEnum):
    DISPOSAL = "disposal"
    DISPOSAL_AND_AGE = "disposal_and_age"
    AGENCY = "agency"
    NEED = "need"
    OFFENCE = "offence"
    MONTH = "month"


class ReoffendingDimension(StrEnum):
    DISPOSAL = "disposal"
    PROGRAMME = "programme"
    COHORT = "cohort"
    MONTH = "month"


def _cohorts(first: int) -> str:
    """A join naming each programme cohort a referral is in (the programmes' names and defining needs are the
    query's parameters `first` and `first + 1`)."""
    return (
        f" JOIN (SELECT unnest(${first}::text[]) AS name, unnest(${first + 1}::text[]) AS defining) cohort"
        " ON cohort.defining = ANY(r.needs)"
    )


_AGE_GROUP = (
    "CASE WHEN c.age_at_offence < 18 THEN 'youths' WHEN c.age_at_offence >= 18 THEN 'adults' ELSE 'age not known' END"
)
_GROUP = {
    ComplianceDimension.DISPOSAL: "c.disposal_type",
    ComplianceDimension.DISPOSAL_AND_AGE: f"c.disposal_type || ' (' || {_AGE_GROUP} || ')'",
    ComplianceDimension.OFFENCE: "c.offence_category",
    ComplianceDimension.MONTH: "to_char(c.decided_at AT TIME ZONE 'Europe/London', 'YYYY-MM')",
    ComplianceDimension.AGENCY: f"coalesce(r.agency_id, '{NO_AGENCY}')",
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


async def compliance_rates(db: Db, by: ComplianceDimension) -> list[dict]:
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
                "rate": _rate(row["completed"], concluded),
            }
        )
    return result


_NAMED = (
    "EXISTS (SELECT 1 FROM reoffending_signals s WHERE s.force_id = c.force_id AND s.subject_ref = c.subject_ref"
    " AND s.named_on > (c.decided_at AT TIME ZONE 'Europe/London')::date"
    " AND s.named_on <= ((c.decided_at AT TIME ZONE 'Europe/London') + interval '24 months')::date)"
)
_MATURE = "((c.decided_at AT TIME ZONE 'Europe/London') + interval '24 months')::date <= $1::date"
_REOFFENDING_GROUP = {
    ReoffendingDimension.DISPOSAL: ("c.disposal_type", "cases c"),
    ReoffendingDimension.PROGRAMME: ("r.agency_id", "cases c JOIN referrals r USING (case_id)"),
    ReoffendingDimension.COHORT: (
        "cohort.name",
        "cases c JOIN referrals r USING (case_id)" + _cohorts(2),
    ),
    ReoffendingDimension.MONTH: ("to_char(c.decided_at AT TIME ZONE 'Europe/London', 'YYYY-MM')", "cases c"),
}


async def reoffending_within_24_months(db: Db, by: ReoffendingDimension, *, now: datetime) -> list[dict]:
    """Per group: the mature cohort (people whose 24 months have passed), how many of them were named within
    their 24 months, the rate — and how many more people are not yet followed long enough to count."""
    group, source = _REOFFENDING_GROUP[by]
    arguments = [local_date(now)]
    if by == ReoffendingDimension.COHORT:
        arguments += [list(PROGRAMMES), list(PROGRAMMES.values())]
    rows = await db.fetch(
        f"SELECT {group} AS grp,"
        f" count(DISTINCT c.subject_ref) FILTER (WHERE {_MATURE}) AS cohort,"
        f" count(DISTINCT c.subject_ref) FILTER (WHERE {_MATURE} AND {_NAMED}) AS named,"
        f" count(DISTINCT c.subject_ref) FILTER (WHERE NOT {_MATURE}) AS not_yet_mature"
        f" FROM {source} WHERE c.status <> 'withdrawn' AND {group} IS NOT NULL GROUP BY grp ORDER BY grp",
        *arguments,
    )
    return [
        {
            "group": r["grp"],
            "cohort": r["cohort"],
            "named_within_24_months": r["named"],
            "rate": _rate(r["named"], r["cohort"]),
            "not_yet_mature": r["not_yet_mature"],
        }
        for r in rows
    ]


async def programme_cohorts(db: Db) -> list[dict]:
    """The domestic-abuse and women's programmes as cohorts, per agency that runs one: the people referred, the
    referrals it completed, and the needs found among them (what the referrals carried)."""
    rows = await db.fetch(
        "SELECT cohort.name AS programme, r.agency_id, count(DISTINCT c.subject_ref) AS people,"
        " count(*) AS referrals, count(*) FILTER (WHERE r.status = 'completed') AS completed,"
        " count(*) FILTER (WHERE r.status IN ('issued', 'accepted', 'in_progress', 'queued')) AS active"
        " FROM cases c JOIN referrals r USING (case_id)"
        + _cohorts(1)
        + " WHERE r.agency_id IS NOT NULL AND NOT r.superseded GROUP BY cohort.name, r.agency_id ORDER BY 1, 2",
        list(PROGRAMMES),
        list(PROGRAMMES.values()),
    )
    needs = await db.fetch(
        "SELECT cohort.name AS programme, r.agency_id, need, count(*) AS people"
        " FROM referrals r CROSS JOIN LATERAL unnest(r.needs) AS need"
        + _cohorts(1)
        + " WHERE r.agency_id IS NOT NULL AND NOT r.superseded GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC, 3",
        list(PROGRAMMES),
        list(PROGRAMMES.values()),
    )
    found: dict[tuple[str, str], dict[str, int]] = {}
    for row in needs:
        found.setdefault((row["programme"], row["agency_id"]), {})[row["need"]] = row["people"]
    return [
        {
            **dict(row),
            "completion_rate": _rate(row["completed"], row["referrals"] - row["active"]),
            "needs_found": found.get((row["programme"], row["agency_id"]), {}),
        }
        for row in rows
    ]


SOURCE_FIGURES = {
    "conditional_caution_compliance": 0.93,
    "adult_community_resolution_completion": 0.73,
    "domestic_abuse_named_within_24_months": 0.093,
}
"""The source's published figures (shared/SOURCE.md), beside which the force's measured ones are shown."""
FIGURE_NAMES = {
    "conditional_caution_compliance": "Conditional Caution compliance",
    "adult_community_resolution_completion": "Community Resolution completion, adults",
    "youth_community_resolution_completion": "Community Resolution completion, youths",
    "domestic_abuse_named_within_24_months": "Domestic-abuse programme: named again within 24 months",
    "named_within_24_months": "Everyone: named again within 24 months",
}
"""Each headline figure as people read it (in the report's `name`)."""


async def headline(db: Db, *, now: datetime) -> list[dict]:
    """The force's headline figures, as measured, each with its cohort and the source's figure beside it."""
    by_age = {row["group"]: row for row in await compliance_rates(db, ComplianceDimension.DISPOSAL_AND_AGE)}
    cohorts = {
        row["group"]: row for row in await reoffending_within_24_months(db, ReoffendingDimension.COHORT, now=now)
    }
    adult_cc = by_age.get("adult_conditional_caution (adults)", {})
    adult_cr = by_age.get("community_resolution (adults)", {})
    youth_cr = by_age.get("community_resolution (youths)", {})
    da = cohorts.get("domestic-abuse programme", {})
    everyone = await reoffending_within_24_months(db, ReoffendingDimension.MONTH, now=now)
    overall_cohort = sum(row["cohort"] for row in everyone)
    overall_named = sum(row["named_within_24_months"] for row in everyone)
    return [
        _figure("conditional_caution_compliance", adult_cc.get("completed", 0), adult_cc.get("concluded", 0)),
        _figure("adult_community_resolution_completion", adult_cr.get("completed", 0), adult_cr.get("concluded", 0)),
        _figure("youth_community_resolution_completion", youth_cr.get("completed", 0), youth_cr.get("concluded", 0)),
        _figure("domestic_abuse_named_within_24_months", da.get("named_within_24_months", 0), da.get("cohort", 0)),
        _figure("named_within_24_months", overall_named, overall_cohort),
    ]


def _figure(name: str, count: int, cohort: int) -> dict:
    measured = _rate(count, cohort)
    source = SOURCE_FIGURES.get(name)
    return {
        "figure": name,
        "name": FIGURE_NAMES[name],
        "count": count,
        "cohort": cohort,
        "measured": measured,
        "source": source,
        "difference": None if measured is None or source is None else round(measured - source, 4),
    }


async def awaiting_police(db: Db, *, limit: int = 200) -> list[dict]:
    """Cases waiting for a police decision (breached, or unable to comply), longest waiting first."""
    rows = await db.fetch(
        "SELECT case_id, force_id, police_reference, disposal_type, status, reason, next_step, outcome_at AS since,"
        " sequence AS breach_sequence FROM cases WHERE status IN ('awaiting_police_decision', 'breached')"
        " ORDER BY outcome_at, case_id LIMIT $1",
        limit,
    )
    return [dict(row) for row in rows]


async def conditions_by_kind(db: Db) -> list[dict]:
    statuses = ("open", "met", "breached", "varied", "cancelled")
    counts = ", ".join(f"count(*) FILTER (WHERE status = '{s}') AS {s}" for s in statuses)
    rows = await db.fetch(f"SELECT kind, {counts} FROM conditions GROUP BY kind ORDER BY kind")
    return [dict(row) for row in rows]


async def police_decisions(db: Db) -> list[dict]:
    rows = await db.fetch(
        "SELECT decision, breach_reason, count(*) AS decisions FROM police_decisions WHERE applied"
        " GROUP BY decision, breach_reason ORDER BY decision, breach_reason"
    )
    return [dict(row) for row in rows]


def _rate(count: int, of: int) -> float | None:
    return round(count / of, 4) if of else None
