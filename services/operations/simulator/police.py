"""The police as the demo plays them after a decision: the officer in the case reporting letters sent,
penalties paid, unpaid work done or a restriction broken; the victim-contact role reporting compensation
as it is paid, in instalments; and the officer deciding what follows each breach.

Everything goes through intake's API with the role's own key, as a police system would send it.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import httpx

from schemas.calendar import local_date
from services.operations.simulator.population import Fate, PlannedCase

DAY = timedelta(days=1)
WAIT_BEFORE_DECIDING = 7 * DAY
"""The officer reviews a breach about a week after it is reported."""
LEGAL_MAXIMUM = {"adult_conditional_caution": 20, "youth_conditional_caution": 20, "community_resolution": 12}
"""Weeks from the decision within which any deadline must fall (the force's policy file)."""


@dataclass
class Report:
    """One progress report, due `day` days after the decision."""

    day: float
    position: int
    """Which of the case's conditions (in the order the decision listed them)."""
    body: dict
    role: str


@dataclass
class PoliceCase:
    """What the police know and still have to report about one opened case."""

    reference: str
    case_id: str
    subject_ref: str
    decided_at: datetime
    plan: PlannedCase
    condition_ids: list[str]
    reports: list[Report] = field(default_factory=list)
    paid: dict[int, int] = field(default_factory=dict)
    """Pence reported paid so far, by condition position."""
    decided: set[int] = field(default_factory=set)
    """The breaches (by sequence) already decided on."""

    @property
    def disposal(self) -> str:
        return self.plan.decision["disposal_type"]


def plan_reports(case: PoliceCase, rng: random.Random) -> None:
    """Schedule the officer's and the victim-contact role's reports, as this person's diversion goes."""
    defaulting = case.plan.fate == Fate.DEFAULTS_ON_PAYMENT
    for position, condition in enumerate(case.plan.decision["conditions"]):
        evidence = condition["evidence"]
        if evidence == "letter_sent":
            case.reports.append(Report(rng.uniform(7, 30), position, {"report": "letter_sent"}, "police"))
        elif evidence == "payment":
            instalments = _instalments(condition["amount_pence"], rng)
            if defaulting:
                instalments = instalments[:1] if len(instalments) > 1 else []
            for n, amount in enumerate(instalments):
                body = {"report": "payment_received", "amount_pence": amount}
                case.reports.append(Report(10 + n * rng.uniform(15, 30), position, body, _role(condition)))
        elif evidence == "hours_worked":
            hours, done = condition["hours"], 0
            while done < hours:
                chunk = min(rng.randint(3, 6), hours - done)
                done += chunk
                body = {"report": "hours_completed", "hours": chunk}
                case.reports.append(Report(14 + done * 3, position, body, "police"))
        elif evidence == "no_violation" and case.plan.fate == Fate.BREAKS_RESTRICTION:
            case.reports.append(Report(rng.uniform(20, 60), position, {"report": "not_complied"}, "police"))
    case.reports.sort(key=lambda report: report.day)


def _instalments(amount: int, rng: random.Random) -> list[int]:
    parts = rng.choice((1, 2, 3))
    each = amount // parts
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


async def report_progress(intake: dict[str, httpx.AsyncClient], case: PoliceCase, now: datetime) -> int:
    """Send the reports now due for `case`; return how many."""
    age_days = (now - case.decided_at) / DAY
    sent = 0
    while case.reports and case.reports[0].day <= age_days:
        report = case.reports.pop(0)
        path = f"/v1/cases/{case.reference}/conditions/{case.condition_ids[report.position]}/progress"
        answer = await intake[report.role].post(path, json=report.body)
        if answer.status_code == 200 and "amount_pence" in report.body:
            case.paid[report.position] = case.paid.get(report.position, 0) + report.body["amount_pence"]
        sent += 1
    return sent


async def decide_breaches(
    intake: httpx.AsyncClient, awaiting: list[dict], cases: dict[str, PoliceCase], now: datetime, rng: random.Random
) -> list[PoliceCase]:
    """The officer's decision on each case that has waited a week for one; returns the cases continued after
    a reasonable excuse (the person now does what is left)."""
    continued = []
    for row in awaiting:
        case = cases.get(row["case_id"])
        since = datetime.fromisoformat(row["since"]) if row["since"] else now
        if case is None or row["breach_sequence"] in case.decided or now - since < WAIT_BEFORE_DECIDING:
            continue
        body = _decision(case, row, now)
        answer = await intake.post(f"/v1/cases/{case.reference}/breach-decision", json=body)
        if answer.status_code in (200, 409):
            case.decided.add(row["breach_sequence"])
        if answer.status_code == 200 and body["decision"] == "reasonable_excuse":
            _complies_from_now(case, now, rng)
            continued.append(case)
    return continued


def _decision(case: PoliceCase, row: dict, now: datetime) -> dict:
    maximum = local_date(case.decided_at) + timedelta(weeks=LEGAL_MAXIMUM[case.disposal])
    decision = case.plan.police_response
    if row["reason"] == "no_place_available" and decision == "prosecute":
        decision = "reasonable_excuse"
    if decision == "reasonable_excuse" and local_date(now) + timedelta(days=14) > maximum:
        decision = "no_further_action"  # no time left within the legal maximum
    body = {
        "decision": decision,
        "officer": f"PC{zlib.crc32(case.reference.encode()) % 9000 + 1000}",
        "reason": _REASONS[decision],
        "breach_sequence": row["breach_sequence"],
    }
    if decision == "reasonable_excuse":
        body["complete_by"] = maximum.isoformat()
    return body


_REASONS = {
    "reasonable_excuse": "Reasonable excuse accepted: evidence of illness on the dates concerned.",
    "prosecute": "No reasonable excuse offered: prosecution for the original offence.",
    "no_further_action": "No further action: not in the public interest to prosecute.",
}


def _complies_from_now(case: PoliceCase, now: datetime, rng: random.Random) -> None:
    """After a reasonable excuse the person does what is left: the fate changes (agencies see it) and
    whatever is still owed is paid within a fortnight."""
    age_days = (now - case.decided_at) / DAY
    case.plan = replace(case.plan, fate=Fate.COMPLETES)
    for position, condition in enumerate(case.plan.decision["conditions"]):
        owed = (condition.get("amount_pence") or 0) - case.paid.get(position, 0)
        pending = any(r.position == position for r in case.reports)
        if condition["evidence"] == "payment" and owed > 0 and not pending:
            body = {"report": "payment_received", "amount_pence": owed}
            case.reports.append(Report(age_days + rng.uniform(2, 14), position, body, _role(condition)))
    case.reports.sort(key=lambda report: report.day)


def _role(condition: dict) -> str:
    return "victim_contact" if condition["reported_by"] == "victim_contact" else "police"
