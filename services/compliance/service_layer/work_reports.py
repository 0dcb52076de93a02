"""The agencies' work as the force reports it: service levels per agency and month, where onward referrals went, and
safeguarding concerns raised and taken on.

Service levels are the national *Refer and monitor an intervention* service's: from the referral's issue, the time
to accept it, to the first contact with the person, to an approved action plan and to the end-of-service report —
in working days (weekends and the bank holidays of England and Wales skipped), as each agency's catalogue terms are
set. The month is the month the referral was issued, local time. A median stands beside each count; "on time" is
judged against the agency's own terms (respond by, first contact due).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, datetime

import asyncpg

from schemas.calendar import local_date, working_days_after
from services.compliance.service_layer.reports import NO_AGENCY

Db = asyncpg.Pool | asyncpg.Connection

_MEASURES = ("accepted", "first_contact", "plan_approved", "report")
"""Each clock, by the column of the query below that stops it."""


async def service_levels(db: Db, holidays: frozenset[date]) -> list[dict]:
    """One row per agency and month of issue."""
    rows = await db.fetch(
        "SELECT r.agency_id, r.issued_at, r.respond_by,"
        " (SELECT min(u.occurred_at) FROM referral_updates u"
        "   WHERE u.referral_id = r.referral_id AND u.update_type = 'accept' AND u.applied) AS accepted,"
        " w.first_contact_at AS first_contact, w.first_contact_due,"
        " (SELECT min(p.decided_at) FROM action_plans p"
        "   WHERE p.referral_id = r.referral_id AND p.decided_at IS NOT NULL AND p.status <> 'returned')"
        "   AS plan_approved,"
        " (w.report->>'submitted_at')::timestamptz AS report"
        " FROM referrals r LEFT JOIN referral_work w USING (referral_id)"
        " WHERE r.agency_id IS NOT NULL AND r.issued_at IS NOT NULL"
        " ORDER BY r.agency_id, r.issued_at"
    )
    grouped: dict[tuple[str, str], list[asyncpg.Record]] = {}
    for row in rows:
        grouped.setdefault((row["agency_id"], local_date(row["issued_at"]).strftime("%Y-%m")), []).append(row)
    return [_levels(agency, month, referrals, holidays) for (agency, month), referrals in grouped.items()]


def _levels(agency: str, month: str, referrals: list[asyncpg.Record], holidays: frozenset[date]) -> dict:
    level = {"agency_id": agency, "month": month, "referrals": len(referrals)}
    for measure in _MEASURES:
        reached = [r for r in referrals if r[measure] is not None]
        level[measure] = len(reached)
        level[f"median_days_to_{measure}"] = _median(
            working_days_after(r["issued_at"], r[measure], holidays) for r in reached
        )
    level["accepted_on_time"] = sum(1 for r in referrals if r["accepted"] and r["accepted"] <= r["respond_by"])
    level["first_contact_on_time"] = sum(
        1 for r in referrals if r["first_contact"] and local_date(r["first_contact"]) <= r["first_contact_due"]
    )
    return level


def _median(days: Iterable[int]) -> float | None:
    values = list(days)
    return float(statistics.median(values)) if values else None


async def onward_referrals(db: Db) -> list[dict]:
    """Each agency's onward referrals, by where they went and where each stands now."""
    rows = await db.fetch(
        "SELECT found.agency_id AS found_by, coalesce(onward.agency_id, $1) AS destination,"
        " onward.status AS outcome, count(*) AS referrals"
        " FROM referrals onward JOIN referrals found ON found.referral_id = onward.onward_from"
        " WHERE NOT onward.superseded GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        NO_AGENCY,
    )
    return [dict(row) for row in rows]


async def safeguarding(db: Db) -> list[dict]:
    """Concerns raised by month (local), kind and urgency: how many, how many taken on, and how soon (median hours)."""
    rows = await db.fetch("SELECT kind, urgency, raised_at, acknowledged_at FROM concerns ORDER BY raised_at")
    grouped: dict[tuple[str, str, str], list[tuple[datetime, datetime | None]]] = {}
    for row in rows:
        key = (local_date(row["raised_at"]).strftime("%Y-%m"), row["kind"], row["urgency"])
        grouped.setdefault(key, []).append((row["raised_at"], row["acknowledged_at"]))
    return [
        {
            "month": month,
            "kind": kind,
            "urgency": urgency,
            "raised": len(concerns),
            "acknowledged": sum(1 for _, taken in concerns if taken is not None),
            "median_hours_to_acknowledge": _median_hours(concerns),
        }
        for (month, kind, urgency), concerns in grouped.items()
    ]


def _median_hours(concerns: list[tuple[datetime, datetime | None]]) -> float | None:
    hours = [(taken - raised).total_seconds() / 3600 for raised, taken in concerns if taken is not None]
    return round(statistics.median(hours), 1) if hours else None
