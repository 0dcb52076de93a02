"""What the police do after opening a case, applied by compliance: progress on conditions (part-payments,
hours), withdrawal, and the decision after a breach."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from schemas.vocabulary import (
    CaseStatus,
    ConditionKind,
    ConditionStatus,
    Evidence,
    NonComplianceReason,
    PoliceDecision,
    ProgressReport,
    ReferralStatus,
)
from services.compliance.domain.agency_reports import AgencyReport, report
from services.compliance.domain.police_actions import (
    Decision,
    ProgressReported,
    decide,
    extend_deadline,
    report_progress,
    withdraw,
)
from services.compliance.domain.referral_progress import Update
from tests.unit.compliance.case_files import (
    DEADLINE,
    NOW,
    agency_condition,
    case_file,
    officer_condition,
    referral,
    statuses,
)

OPEN, MET, BREACHED = ConditionStatus.OPEN, ConditionStatus.MET, ConditionStatus.BREACHED
VARIED = ConditionStatus.VARIED


def compensation(pence: int = 10_000):
    return officer_condition(ConditionKind.COMPENSATION, Evidence.PAYMENT, amount_pence=pence)


def paid(file, condition, pence: int) -> bool:
    return report_progress(
        file, condition, ProgressReported(ProgressReport.PAYMENT_RECEIVED, occurred_at=NOW, amount_pence=pence)
    )


def breached_case():
    """A caution awaiting the police: its referral breached by two unacceptable absences."""
    file = case_file(conditions=[agency_condition()], referrals=[referral()])
    ref = file.referrals[0]
    for _ in range(2):
        appointment = uuid.uuid4()
        report(file, ref, AgencyReport(Update.SCHEDULE, NOW, appointment), now=NOW)
        report(file, ref, AgencyReport(Update.MISS, NOW, appointment, absence_acceptable=False), now=NOW)
    assert file.case.status == CaseStatus.AWAITING_POLICE_DECISION
    return file


# --- progress on conditions -----------------------------------------------------------------------------------


def test_compensation_paid_in_instalments_is_met_when_the_amount_is_reached() -> None:
    owed = compensation(10_000)
    file = case_file(conditions=[owed])

    assert paid(file, owed, 2_500) and paid(file, owed, 2_500)
    assert (owed.status, owed.amount_paid_pence) == (OPEN, 5_000)

    assert paid(file, owed, 6_000)
    assert (owed.status, owed.amount_paid_pence) == (MET, 11_000)
    assert file.case.status == CaseStatus.COMPLETED
    assert [c.entity.amount_paid_pence for c in file.changes if hasattr(c.entity, "amount_paid_pence")] == [
        2_500,
        5_000,
        11_000,
    ], "each part-payment is published as progress"


def test_unpaid_work_hours_add_up_to_the_hours_set() -> None:
    work = officer_condition(ConditionKind.PUNITIVE, Evidence.HOURS_WORKED, hours=10)
    file = case_file(conditions=[work])

    for hours in (4, 4, 2):
        report_progress(file, work, ProgressReported(ProgressReport.HOURS_COMPLETED, occurred_at=NOW, hours=hours))

    assert (work.status, work.hours_done, file.case.status) == (MET, 10, CaseStatus.COMPLETED)


def test_progress_is_not_taken_on_a_condition_an_agency_delivers_or_one_no_longer_open() -> None:
    delivered = agency_condition()
    owed = compensation()
    file = case_file(conditions=[delivered, owed])

    assert not report_progress(file, delivered, ProgressReported(ProgressReport.COMPLETED, occurred_at=NOW))
    assert paid(file, owed, 10_000)
    assert not paid(file, owed, 10_000)
    assert owed.amount_paid_pence == 10_000


def test_a_payment_after_the_conditions_deadline_does_not_meet_it() -> None:
    owed = compensation(100)
    owed.own_complete_by = date(2026, 3, 10)
    file = case_file(conditions=[owed])

    paid(file, owed, 100)

    assert (owed.status, owed.reason) == (BREACHED, NonComplianceReason.DEADLINE_PASSED)


# --- withdrawal and extension ----------------------------------------------------------------------------------


def test_withdrawal_ends_an_open_case_and_cancels_its_open_work() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral()])

    assert withdraw(file)

    assert statuses(file) == (CaseStatus.WITHDRAWN, (ConditionStatus.CANCELLED,), (ReferralStatus.CANCELLED,))
    assert file.referrals[0].reason == "case_withdrawn"


def test_withdrawal_of_a_concluded_case_changes_nothing() -> None:
    owed = compensation(100)
    file = case_file(conditions=[owed])
    paid(file, owed, 100)
    assert file.case.status == CaseStatus.COMPLETED

    assert not withdraw(file)
    assert file.case.status == CaseStatus.COMPLETED


def test_a_deadline_moves_only_on_an_open_case() -> None:
    file = case_file()
    assert extend_deadline(file, DEADLINE + timedelta(weeks=4))
    assert file.case.complete_by == DEADLINE + timedelta(weeks=4)
    assert not file.changes, "intake owns the deadline; compliance follows it silently"


# --- after a breach, the police decide ------------------------------------------------------------------------


def test_a_reasonable_excuse_reinstates_the_breached_condition_and_referral_with_a_new_deadline() -> None:
    file = breached_case()
    new_deadline = DEADLINE + timedelta(weeks=4)

    assert decide(file, Decision(PoliceDecision.REASONABLE_EXCUSE, file.case.sequence, complete_by=new_deadline))

    assert statuses(file) == (CaseStatus.OPEN, (OPEN,), (ReferralStatus.IN_PROGRESS,))
    assert file.case.complete_by == new_deadline
    assert file.referrals[0].unacceptable_absences == 0
    assert file.case.police_decision == PoliceDecision.REASONABLE_EXCUSE


def test_varied_conditions_replace_every_condition_not_yet_met() -> None:
    file = breached_case()
    varied = officer_condition(ConditionKind.REPARATIVE, Evidence.LETTER_SENT)

    decide(file, Decision(PoliceDecision.REASONABLE_EXCUSE, file.case.sequence, varied_conditions=[varied]))

    assert [c.status for c in file.conditions] == [VARIED, OPEN]
    assert file.referrals[0].status == ReferralStatus.BREACHED, "it delivers no condition in force any more"
    report_progress(file, varied, ProgressReported(ProgressReport.LETTER_SENT, occurred_at=NOW))
    assert file.case.status == CaseStatus.COMPLETED


def test_prosecution_concludes_the_case_and_cancels_what_is_still_open() -> None:
    file = breached_case()
    file.referrals.append(referral())

    assert decide(file, Decision(PoliceDecision.PROSECUTE, file.case.sequence))

    assert file.case.status == CaseStatus.PROSECUTED
    assert file.referrals[1].status == ReferralStatus.CANCELLED


def test_a_decision_on_an_earlier_breach_is_not_applied() -> None:
    file = breached_case()
    stale = file.case.sequence - 1

    assert not decide(file, Decision(PoliceDecision.NO_FURTHER_ACTION, stale))
    assert file.case.status == CaseStatus.AWAITING_POLICE_DECISION


def test_a_decision_on_a_case_not_awaiting_one_is_not_applied() -> None:
    file = case_file(conditions=[agency_condition()])

    assert not decide(file, Decision(PoliceDecision.NO_FURTHER_ACTION, file.case.sequence))
    assert file.case.status == CaseStatus.OPEN


@pytest.mark.parametrize(
    ("decision", "allowed", "ends"),
    [
        (PoliceDecision.PROSECUTE, False, CaseStatus.AWAITING_POLICE_DECISION),
        (PoliceDecision.NO_FURTHER_ACTION, True, CaseStatus.NO_FURTHER_ACTION),
        (PoliceDecision.REASONABLE_EXCUSE, True, CaseStatus.OPEN),
    ],
)
def test_a_case_that_could_not_be_complied_with_is_never_prosecuted(
    decision: PoliceDecision, allowed: bool, ends: CaseStatus
) -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral(status=ReferralStatus.QUEUED)])
    file.deadlines_passed(DEADLINE + timedelta(days=1))
    assert file.case.reason == NonComplianceReason.NO_PLACE_AVAILABLE

    new_deadline = DEADLINE + timedelta(weeks=4) if decision == PoliceDecision.REASONABLE_EXCUSE else None
    assert decide(file, Decision(decision, file.case.sequence, complete_by=new_deadline)) is allowed
    assert file.case.status == ends
