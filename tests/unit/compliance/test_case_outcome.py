"""A case's outcome: deadlines met on the day and missed from the next, extension, what a breach leads to, work done."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from pytest import param

from schemas.vocabulary import DisposalType
from services.compliance.domain.case_outcome import (
    CaseStatus,
    all_work_done,
    breach_outcome,
    deadline_passed,
    work_outstanding,
)
from services.compliance.domain.referral_progress import Status
from services.compliance.domain.rules import BreachPath, ComplianceRules, load_rules

RULES = load_rules(Path(__file__).resolve().parents[3] / "deploy" / "policy" / "compliance-rules.yaml")

DECIDED = date(2025, 3, 3)  # a Monday
SIXTEEN_WEEKS = DECIDED + timedelta(weeks=16)  # Monday 23 June 2025
TWENTY_WEEKS = DECIDED + timedelta(weeks=20)  # Monday 21 July 2025


def utc(day: date, at: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(at), tzinfo=UTC)


# --- deadlines -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "passed"),
    [
        param(utc(SIXTEEN_WEEKS - timedelta(days=1), "23:59"), False, id="day before, 23:59"),
        param(utc(SIXTEEN_WEEKS, "00:00"), False, id="on the deadline, 00:00"),
        param(utc(SIXTEEN_WEEKS, "23:59"), False, id="on the deadline, 23:59"),
        param(utc(SIXTEEN_WEEKS, "23:59:59.999999"), False, id="on the deadline, last microsecond"),
        param(utc(SIXTEEN_WEEKS + timedelta(days=1), "00:00"), True, id="day after, 00:00"),
        param(utc(SIXTEEN_WEEKS + timedelta(days=1), "23:59"), True, id="day after, 23:59"),
        param(utc(SIXTEEN_WEEKS + timedelta(weeks=30), "12:00"), True, id="long after"),
    ],
)
def test_a_deadline_is_met_on_its_date_and_passed_from_the_day_after(now: datetime, passed: bool) -> None:
    assert deadline_passed(SIXTEEN_WEEKS, now) is passed


@pytest.mark.parametrize(
    ("completed_at", "in_time"),
    [
        param(utc(SIXTEEN_WEEKS, "00:00"), True, id="completed on the deadline at 00:00: in time"),
        param(utc(SIXTEEN_WEEKS, "23:59"), True, id="completed on the deadline at 23:59: in time"),
        param(utc(SIXTEEN_WEEKS + timedelta(days=1), "00:00"), False, id="completed the day after at 00:00: late"),
    ],
)
def test_a_completion_on_the_deadline_date_is_in_time(completed_at: datetime, in_time: bool) -> None:
    assert (not deadline_passed(SIXTEEN_WEEKS, completed_at)) is in_time


@pytest.mark.parametrize(
    ("now", "passed_at_16_weeks", "passed_at_20_weeks"),
    [
        param(utc(SIXTEEN_WEEKS, "23:59"), False, False, id="16-week date, 23:59"),
        param(utc(SIXTEEN_WEEKS + timedelta(days=1), "00:00"), True, False, id="day after 16 weeks, 00:00"),
        param(utc(TWENTY_WEEKS - timedelta(days=1), "23:59"), True, False, id="day before 20 weeks"),
        param(utc(TWENTY_WEEKS, "00:00"), True, False, id="20-week date, 00:00"),
        param(utc(TWENTY_WEEKS, "23:59"), True, False, id="20-week date, 23:59"),
        param(utc(TWENTY_WEEKS + timedelta(days=1), "00:00"), True, True, id="day after 20 weeks, 00:00"),
    ],
)
def test_an_extension_from_16_to_20_weeks_moves_the_boundary(
    now: datetime, passed_at_16_weeks: bool, passed_at_20_weeks: bool
) -> None:
    assert deadline_passed(SIXTEEN_WEEKS, now) is passed_at_16_weeks
    assert deadline_passed(TWENTY_WEEKS, now) is passed_at_20_weeks


# --- what a breach leads to ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disposal", "status", "path"),
    [
        param(
            DisposalType.COMMUNITY_RESOLUTION,
            CaseStatus.NON_COMPLETION,
            BreachPath.NON_COMPLETION,
            id="community resolution: non-completion, never breach",
        ),
        param(
            DisposalType.ADULT_CONDITIONAL_CAUTION,
            CaseStatus.BREACHED,
            BreachPath.PROSECUTION_DECISION,
            id="adult conditional caution: prosecution decision",
        ),
        param(
            DisposalType.YOUTH_CONDITIONAL_CAUTION,
            CaseStatus.BREACHED,
            BreachPath.PROSECUTION_DECISION,
            id="youth conditional caution: prosecution decision",
        ),
        param(
            DisposalType.DIVERSIONARY_CAUTION,
            CaseStatus.BREACHED,
            BreachPath.PROSECUTION_DECISION,
            id="diversionary caution: prosecution decision",
        ),
        param(
            DisposalType.COMMUNITY_CAUTION,
            CaseStatus.BREACHED,
            BreachPath.FINANCIAL_PENALTY,
            id="community caution: financial penalty",
        ),
    ],
)
def test_what_a_breach_leads_to_for_each_disposal(disposal: DisposalType, status: CaseStatus, path: BreachPath) -> None:
    assert breach_outcome(disposal, RULES) == (status, path)


def test_every_disposal_type_has_a_breach_outcome() -> None:
    assert {disposal for disposal in DisposalType if breach_outcome(disposal, RULES)} == set(DisposalType)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        param(BreachPath.NON_COMPLETION, CaseStatus.NON_COMPLETION, id="non_completion -> non-completion"),
        param(BreachPath.PROSECUTION_DECISION, CaseStatus.BREACHED, id="prosecution_decision -> breached"),
        param(BreachPath.FINANCIAL_PENALTY, CaseStatus.BREACHED, id="financial_penalty -> breached"),
    ],
)
def test_the_outcome_follows_the_rules_data_not_the_disposal(path: BreachPath, status: CaseStatus) -> None:
    rules = ComplianceRules.model_validate(RULES.model_dump() | {"outcomes": dict.fromkeys(DisposalType, path)})

    assert {breach_outcome(disposal, rules) for disposal in DisposalType} == {(status, path)}


# --- is the work done? ---------------------------------------------------------------------------------

C, B = Status.COMPLETED, Status.BREACHED


@pytest.mark.parametrize(
    ("statuses", "done"),
    [
        param([], False, id="no referral at all"),
        param([C], True, id="the one referral completed"),
        param([C, C], True, id="both completed"),
        param([C, Status.IN_PROGRESS], False, id="one still in progress"),
        param([C, Status.ISSUED], False, id="one not yet accepted"),
        param([C, Status.ACCEPTED], False, id="one accepted, not started"),
        param([C, B], False, id="one breached"),
        param([B], False, id="only referral breached"),
        param([C, Status.REASSIGNED], True, id="reassigned referral does not count"),
        param([C, Status.CANCELLED], True, id="cancelled referral does not count"),
        param([C, Status.DECLINED], True, id="declined referral does not count"),
        param([C, Status.AGENCY_WITHDREW], True, id="withdrawn-by-agency referral does not count"),
        param([C, Status.DISENGAGED], True, id="disengaged (not a breach) referral does not count"),
        param([Status.DECLINED, Status.REASSIGNED], False, id="only closed referrals: nothing completed"),
        param([Status.CANCELLED], False, id="only a cancelled referral"),
        param([Status.DISENGAGED], False, id="only a disengaged referral"),
        param([Status.DECLINED, C, Status.REASSIGNED, C], True, id="replacements completed, originals closed"),
    ],
)
def test_all_work_done(statuses: list[Status], done: bool) -> None:
    assert all_work_done(statuses) is done
    assert all_work_done(iter(statuses)) is done, "any iterable, read once"


@pytest.mark.parametrize(
    ("statuses", "outstanding"),
    [
        param([], False, id="no referral at all"),
        param([Status.ISSUED], True, id="issued"),
        param([Status.ACCEPTED], True, id="accepted"),
        param([Status.IN_PROGRESS], True, id="in progress"),
        param([C, Status.IN_PROGRESS], True, id="one completed, one in progress"),
        param([C], False, id="completed"),
        param([B], False, id="breached"),
        param([Status.DECLINED], False, id="declined"),
        param([Status.AGENCY_WITHDREW], False, id="withdrawn by agency"),
        param([Status.DISENGAGED], False, id="disengaged"),
        param([Status.REASSIGNED], False, id="reassigned"),
        param([Status.CANCELLED], False, id="cancelled"),
        param([C, B, Status.DECLINED, Status.CANCELLED], False, id="nothing open"),
    ],
)
def test_work_outstanding(statuses: list[Status], outstanding: bool) -> None:
    assert work_outstanding(statuses) is outstanding
    assert work_outstanding(iter(statuses)) is outstanding


@pytest.mark.parametrize("status", [param(status, id=str(status)) for status in Status])
def test_a_single_referral_cannot_be_both_done_and_outstanding(status: Status) -> None:
    assert not (all_work_done([status]) and work_outstanding([status]))
