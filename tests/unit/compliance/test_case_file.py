"""A case's outcome from its conditions and referrals: completion, breach, waiting work, deadlines.

Each test builds a case file from plain objects, applies facts in order and checks where the case,
its conditions and its referrals end — and what changes would be published.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from schemas.vocabulary import (
    BreachNextStep,
    CaseStatus,
    ConditionKind,
    ConditionStatus,
    DisposalType,
    Evidence,
    NonComplianceReason,
    ReferralStatus,
)
from services.compliance.domain.agency_reports import AgencyReport, ImplausibleTime, report
from services.compliance.domain.entities import Case, Referral
from services.compliance.domain.referral_progress import IllegalTransition, Update
from tests.unit.compliance.case_files import (
    DEADLINE,
    DECIDED,
    HOUSING,
    NOW,
    agency_condition,
    case,
    case_file,
    officer_condition,
    referral,
    statuses,
)

OPEN, MET, BREACHED = ConditionStatus.OPEN, ConditionStatus.MET, ConditionStatus.BREACHED
AFTER_DEADLINE = DEADLINE + timedelta(days=1)


def agency(file, ref: Referral, update: Update, **extra) -> None:
    report(file, ref, AgencyReport(update, occurred_at=extra.pop("at", NOW), **extra), now=NOW)


def complete(file, ref: Referral, **extra) -> None:
    agency(file, ref, Update.ACCEPT)
    agency(file, ref, Update.COMPLETE, **extra)


def breach_by_absences(file, ref: Referral) -> None:
    for _ in range(2):
        appointment = uuid.uuid4()
        agency(file, ref, Update.SCHEDULE, appointment_id=appointment)
        agency(file, ref, Update.MISS, appointment_id=appointment, absence_acceptable=False)


# --- completion ----------------------------------------------------------------------------------------------


def test_a_caution_completes_when_its_referral_delivers_its_condition() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral()])

    complete(file, file.referrals[0])

    assert statuses(file) == (CaseStatus.COMPLETED, (MET,), (ReferralStatus.COMPLETED,))


def test_completion_waits_for_every_referral_in_play_even_one_that_delivers_no_condition() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral(), referral(HOUSING)])

    complete(file, file.referrals[0])
    assert file.case.status == CaseStatus.OPEN, "the housing referral is still open"

    complete(file, file.referrals[1])
    assert file.case.status == CaseStatus.COMPLETED


def test_a_case_with_waiting_work_is_not_complete() -> None:
    letter = officer_condition(ConditionKind.REPARATIVE, Evidence.LETTER_SENT)
    file = case_file(conditions=[letter], referrals=[referral(HOUSING, status=ReferralStatus.QUEUED)])

    file.meet(letter)
    file.settle()

    assert statuses(file) == (CaseStatus.OPEN, (MET,), (ReferralStatus.QUEUED,))


def test_a_referral_that_left_its_agency_blocks_completion_until_the_router_answers() -> None:
    housing = referral(HOUSING)
    file = case_file(conditions=[agency_condition()], referrals=[referral(), housing])
    agency(file, housing, Update.DECLINE)
    complete(file, file.referrals[0])
    assert file.case.status == CaseStatus.OPEN, "the declined needs may still be placed elsewhere"

    from services.compliance.domain.placements import recall

    recall(file, housing)

    assert file.case.status == CaseStatus.COMPLETED


def test_a_case_with_nothing_yet_to_do_does_not_complete_before_its_deadline() -> None:
    file = case_file(case(DisposalType.COMMUNITY_RESOLUTION))

    file.settle()

    assert file.case.status == CaseStatus.OPEN


# --- breach --------------------------------------------------------------------------------------------------


def test_a_caution_is_breached_through_the_condition_its_referral_delivers() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral(), referral(HOUSING)])

    breach_by_absences(file, file.referrals[0])

    assert statuses(file) == (
        CaseStatus.AWAITING_POLICE_DECISION,
        (BREACHED,),
        (ReferralStatus.BREACHED, ReferralStatus.ISSUED),
    ), "the police decide; the other agency's work goes on meanwhile"
    assert file.case.reason == NonComplianceReason.MISSED_APPOINTMENT
    assert file.case.next_step == BreachNextStep.PROSECUTION_DECISION
    assert file.conditions[0].reason == NonComplianceReason.MISSED_APPOINTMENT


def test_missing_a_support_referral_that_delivers_no_condition_breaches_nothing() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral(), referral(HOUSING)])

    breach_by_absences(file, file.referrals[1])

    assert statuses(file) == (CaseStatus.OPEN, (OPEN,), (ReferralStatus.ISSUED, ReferralStatus.BREACHED))


def test_a_community_resolution_is_not_completed_when_an_agreed_referral_is_breached() -> None:
    file = case_file(case(DisposalType.COMMUNITY_RESOLUTION), referrals=[referral(), referral(HOUSING)])

    agency(file, file.referrals[0], Update.DISENGAGE)

    assert statuses(file) == (
        CaseStatus.NOT_COMPLETED,
        (),
        (ReferralStatus.BREACHED, ReferralStatus.CANCELLED),
    )
    assert file.case.reason == NonComplianceReason.DISENGAGED


def test_a_community_caution_breach_takes_the_financial_penalty_path() -> None:
    file = case_file(case(DisposalType.COMMUNITY_CAUTION), conditions=[agency_condition()], referrals=[referral()])

    breach_by_absences(file, file.referrals[0])

    assert (file.case.status, file.case.next_step) == (CaseStatus.BREACHED, BreachNextStep.FINANCIAL_PENALTY)


def test_a_report_that_the_person_did_not_comply_breaches_the_condition() -> None:
    from services.compliance.domain.police_actions import ProgressReported, report_progress

    stay_away = officer_condition(ConditionKind.RESTRICTIVE, Evidence.NO_VIOLATION)
    file = case_file(conditions=[stay_away])

    assert report_progress(file, stay_away, ProgressReported(report="not_complied", occurred_at=NOW))

    assert statuses(file) == (CaseStatus.AWAITING_POLICE_DECISION, (BREACHED,), ())
    assert file.case.reason == NonComplianceReason.CONDITION_NOT_MET


def test_completion_reported_after_the_conditions_deadline_breaches_it() -> None:
    early = agency_condition(own_complete_by=date(2026, 4, 30))
    file = case_file(conditions=[early], referrals=[referral()])

    complete(file, file.referrals[0], at=NOW)  # NOW is 16 March: in time
    assert file.conditions[0].status == MET

    late = case_file(conditions=[agency_condition(own_complete_by=date(2026, 3, 10))], referrals=[referral()])
    complete(late, late.referrals[0], at=NOW)
    assert late.conditions[0].status == BREACHED
    assert late.conditions[0].reason == NonComplianceReason.DEADLINE_PASSED


# --- deadlines -----------------------------------------------------------------------------------------------


def test_at_the_deadline_unfinished_work_breaches_the_condition() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral()])
    agency(file, file.referrals[0], Update.ACCEPT)

    file.deadlines_passed(DEADLINE)
    assert file.case.status == CaseStatus.OPEN, "completion on the deadline day is still in time"

    file.deadlines_passed(AFTER_DEADLINE)
    assert statuses(file) == (CaseStatus.AWAITING_POLICE_DECISION, (BREACHED,), (ReferralStatus.ACCEPTED,))
    assert file.case.reason == NonComplianceReason.DEADLINE_PASSED


@pytest.mark.parametrize(
    "waiting",
    [
        pytest.param(ReferralStatus.QUEUED, id="queued for a full agency"),
        pytest.param(ReferralStatus.UNMATCHED, id="no agency could take it"),
    ],
)
def test_at_the_deadline_a_required_referral_that_never_started_is_no_place_available_not_a_breach(
    waiting: ReferralStatus,
) -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral(status=waiting, agency_id=None)])

    file.deadlines_passed(AFTER_DEADLINE)

    assert statuses(file) == (CaseStatus.AWAITING_POLICE_DECISION, (OPEN,), (waiting,))
    assert file.case.reason == NonComplianceReason.NO_PLACE_AVAILABLE
    assert file.case.next_step is None


def test_a_breach_outweighs_a_place_not_found() -> None:
    file = case_file(
        conditions=[agency_condition(), agency_condition(HOUSING)],
        referrals=[referral(), referral(HOUSING, status=ReferralStatus.QUEUED)],
    )
    agency(file, file.referrals[0], Update.ACCEPT)

    file.deadlines_passed(AFTER_DEADLINE)

    assert file.case.reason == NonComplianceReason.DEADLINE_PASSED


def test_a_restriction_is_met_when_its_period_ends_unbroken_and_then_the_case_completes() -> None:
    stay_away = officer_condition(ConditionKind.RESTRICTIVE, Evidence.NO_VIOLATION)
    support = referral(HOUSING, status=ReferralStatus.QUEUED)
    file = case_file(conditions=[stay_away], referrals=[support])

    file.deadlines_passed(AFTER_DEADLINE)

    assert statuses(file) == (CaseStatus.COMPLETED, (MET,), (ReferralStatus.CANCELLED,)), (
        "the caution is complied with; support that never started is not required of the person"
    )


def test_a_community_resolution_with_an_agreed_referral_still_running_at_the_deadline_is_not_completed() -> None:
    file = case_file(case(DisposalType.COMMUNITY_RESOLUTION), referrals=[referral()])
    agency(file, file.referrals[0], Update.ACCEPT)

    file.deadlines_passed(AFTER_DEADLINE)

    assert file.case.status == CaseStatus.NOT_COMPLETED
    assert file.case.reason == NonComplianceReason.DEADLINE_PASSED


def test_a_case_with_nothing_to_do_completes_at_its_deadline() -> None:
    file = case_file(case(DisposalType.COMMUNITY_RESOLUTION))

    file.deadlines_passed(AFTER_DEADLINE)

    assert file.case.status == CaseStatus.COMPLETED


def test_an_agency_that_does_not_answer_in_time_times_the_referral_out() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral()])
    due = file.referrals[0].respond_by

    file.time_out(file.referrals[0], due)
    assert file.referrals[0].status == ReferralStatus.ISSUED

    file.time_out(file.referrals[0], due + timedelta(seconds=1))
    assert file.referrals[0].status == ReferralStatus.TIMED_OUT
    with pytest.raises(IllegalTransition, match="timed out"):
        agency(file, file.referrals[0], Update.ACCEPT)


# --- agency reports checked against reality ------------------------------------------------------------------


def test_an_update_from_the_future_is_refused() -> None:
    file = case_file(referrals=[referral()])

    with pytest.raises(ImplausibleTime, match="future"):
        report(file, file.referrals[0], AgencyReport(Update.ACCEPT, occurred_at=NOW + timedelta(hours=1)), now=NOW)
    agency(file, file.referrals[0], Update.ACCEPT, at=NOW + timedelta(minutes=4))  # within the clock skew


def test_an_update_dated_before_the_referral_was_issued_is_refused() -> None:
    file = case_file(referrals=[referral()])

    with pytest.raises(ImplausibleTime, match="before the referral was issued"):
        agency(file, file.referrals[0], Update.ACCEPT, at=DECIDED - timedelta(days=1))


def test_an_absence_counts_only_for_an_appointment_that_was_scheduled() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral()])
    ref = file.referrals[0]

    with pytest.raises(IllegalTransition, match="no appointment with this id was scheduled"):
        agency(file, ref, Update.MISS, appointment_id=uuid.uuid4(), absence_acceptable=False)

    appointment = uuid.uuid4()
    agency(file, ref, Update.SCHEDULE, appointment_id=appointment)
    for _ in range(3):
        agency(file, ref, Update.MISS, appointment_id=appointment, absence_acceptable=False)

    assert (ref.status, ref.unacceptable_absences) == (ReferralStatus.IN_PROGRESS, 1), "one absence, reported thrice"


# --- what is published ---------------------------------------------------------------------------------------


def test_every_transition_is_a_change_in_order_with_its_sequence() -> None:
    file = case_file(conditions=[agency_condition()], referrals=[referral()])

    complete(file, file.referrals[0])

    published = [(type(c.entity).__name__, c.previous, c.entity.status, c.entity.sequence) for c in file.changes]
    assert published == [
        ("Referral", ReferralStatus.ISSUED, ReferralStatus.ACCEPTED, 1),
        ("Referral", ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED, 2),
        ("Condition", ConditionStatus.OPEN, ConditionStatus.MET, 1),
        ("Case", CaseStatus.OPEN, CaseStatus.COMPLETED, 1),
    ]
    assert isinstance(file.changes[-1].entity, Case) and file.changes[-1].entity is not file.case
