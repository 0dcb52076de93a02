"""When a case is complete, breached or not completed, and what a breach leads to.

A case is complete when every referral still in play has completed. It is breached when any
referral is breached or its deadline passes with work unfinished; a deadline is met by
completion *on* the deadline date, and missed from the day after. What a breach leads to
depends on the disposal: a Community Resolution is never breached — it is recorded as not
completed — while a caution's breach goes to the police for a prosecution decision (with room
for a reasonable excuse), or to the financial-penalty path for a Community Caution.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum

from schemas.vocabulary import DisposalType
from services.compliance.domain.referral_progress import CLOSED_BY_ROUTER, LEFT_THE_AGENCY, OPEN, Status
from services.compliance.domain.rules import BreachPath, ComplianceRules


class CaseStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    BREACHED = "breached"
    NON_COMPLETION = "non_completion"
    WITHDRAWN = "withdrawn"


def all_work_done(referral_statuses: Iterable[Status]) -> bool:
    """Every referral still in play is completed, and at least one is."""
    in_play = [s for s in referral_statuses if s not in CLOSED_BY_ROUTER and s not in LEFT_THE_AGENCY]
    return bool(in_play) and all(s == Status.COMPLETED for s in in_play)


def work_outstanding(referral_statuses: Iterable[Status]) -> bool:
    return any(s in OPEN for s in referral_statuses)


def deadline_passed(complete_by: date, now: datetime) -> bool:
    return now.date() > complete_by


def breach_outcome(disposal: DisposalType, rules: ComplianceRules) -> tuple[CaseStatus, BreachPath]:
    """The case status and the path a breach of this disposal leads to."""
    path = rules.outcomes[disposal]
    status = CaseStatus.NON_COMPLETION if path == BreachPath.NON_COMPLETION else CaseStatus.BREACHED
    return status, path
