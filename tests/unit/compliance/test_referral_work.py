"""The agency's work on a referral: who may do what in which state, the service-level clock in working days, the
action plan's approval, sessions, and the end-of-service report without which nothing completes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from schemas.vocabulary import (
    ActionPlanApproval,
    ContactMethod,
    Engagement,
    GoalOutcome,
    NeedCategory,
    PlanStatus,
    ReferralStatus,
    WorkStep,
)
from services.compliance.domain import referral_work
from services.compliance.domain.referral_progress import IllegalTransition
from services.compliance.domain.referral_work import AgencyTerms, GoalMet, PlanItem, ReferralWork, Workflow
from tests.unit.compliance.case_files import ALCOHOL, HOUSING, referral

FRIDAY = datetime(2026, 4, 3, 9, tzinfo=UTC)
"""Good Friday 2026: a bank holiday in England and Wales, as is Easter Monday (6 April)."""
HOLIDAYS = frozenset({date(2026, 4, 3), date(2026, 4, 6)})
REVIEWED = AgencyTerms(first_contact_within_working_days=2, action_plan=ActionPlanApproval.DIVERSION_TEAM)
AUTOMATIC = AgencyTerms(first_contact_within_working_days=2, action_plan=ActionPlanApproval.AUTOMATIC)
NO_PLAN = AgencyTerms(first_contact_within_working_days=2, action_plan=ActionPlanApproval.NO_PLAN)
AT = datetime(2026, 4, 8, 10, tzinfo=UTC)


def work_on(ref) -> ReferralWork:
    return ReferralWork(ref.referral_id, uuid.uuid4(), ref.agency_id)


def items(*needs: NeedCategory, text: str = "weekly sessions") -> tuple[PlanItem, ...]:
    return tuple(PlanItem(need, text) for need in needs)


def submit(work, ref, terms=REVIEWED, *needs: NeedCategory, plan_id: uuid.UUID | None = None) -> bool:
    needs = needs or ref.needs
    return referral_work.submit_plan(
        work, ref, plan_id or uuid.uuid4(), items(*needs), items(*needs, text="a goal"), 4, AT, terms
    )


def report(work, ref, terms=REVIEWED, outcome=GoalOutcome.ACHIEVED) -> bool:
    goals = tuple(GoalMet(goal.need, goal.text, outcome) for goal in (work.plan.goals if work.plan else ()))
    return referral_work.submit_report(work, ref, tuple((need, outcome) for need in ref.needs), goals, None, AT, terms)


# -- who may do what, in which state -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [ReferralStatus.ISSUED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS])
def test_a_caseworker_is_named_while_the_referral_is_in_the_agencys_hands(status) -> None:
    ref = referral(status=status)
    work = work_on(ref)

    assert referral_work.assign_caseworker(work, ref, "Sam Keeper", AT) is True
    assert referral_work.assign_caseworker(work, ref, "Sam Keeper", AT) is False, "the same worker again"
    assert referral_work.assign_caseworker(work, ref, "Ash Other", AT) is True
    assert [s.step for s in work.steps] == [WorkStep.CASEWORKER_ASSIGNED] * 2 and work.caseworker == "Ash Other"


@pytest.mark.parametrize(
    "status", [ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.BREACHED, ReferralStatus.DISENGAGED]
)
def test_no_step_once_the_referral_left_the_agency(status) -> None:
    ref = referral(status=status)
    work = work_on(ref)

    for step in (
        lambda: referral_work.assign_caseworker(work, ref, "Sam Keeper", AT),
        lambda: referral_work.first_contact(work, ref, ContactMethod.PHONE, AT, REVIEWED, HOLIDAYS),
        lambda: submit(work, ref),
    ):
        with pytest.raises(IllegalTransition, match="no longer in your hands"):
            step()
    assert work.steps == []


def test_a_plan_and_a_report_wait_for_the_referral_to_be_accepted() -> None:
    ref = referral(status=ReferralStatus.ISSUED)
    work = work_on(ref)

    with pytest.raises(IllegalTransition, match="accept the referral before submitting an action plan"):
        submit(work, ref)
    with pytest.raises(IllegalTransition, match="accept the referral before an end-of-service report"):
        report(work, ref, NO_PLAN)


# -- the first-contact service level, in working days ------------------------------------------------------------


def test_first_contact_is_measured_in_working_days_skipping_weekends_and_bank_holidays() -> None:
    """Issued on Good Friday with two working days: Easter Monday is a holiday, so Tuesday and Wednesday count —
    contact on Wednesday 8 April is within, on Thursday 9 April is not."""
    for contacted, within in [
        (datetime(2026, 4, 8, 17, tzinfo=UTC), True),
        (datetime(2026, 4, 9, 9, tzinfo=UTC), False),
    ]:
        ref = referral(status=ReferralStatus.ACCEPTED, issued_at=FRIDAY)
        work = work_on(ref)

        assert referral_work.first_contact(work, ref, ContactMethod.PHONE, contacted, REVIEWED, HOLIDAYS) is True

        (step,) = work.steps
        assert step.fields["first_contact_due"] == date(2026, 4, 8)
        assert step.fields["within_service_level"] is within, contacted


def test_only_the_first_contact_counts() -> None:
    ref = referral(status=ReferralStatus.ACCEPTED, issued_at=FRIDAY)
    work = work_on(ref)
    referral_work.first_contact(work, ref, ContactMethod.PHONE, AT, REVIEWED, HOLIDAYS)

    assert (
        referral_work.first_contact(work, ref, ContactMethod.EMAIL, AT + timedelta(days=1), REVIEWED, HOLIDAYS) is False
    )
    assert work.first_contact_method == ContactMethod.PHONE and len(work.steps) == 1


def test_an_agency_the_catalogue_no_longer_lists_keeps_the_strictest_terms() -> None:
    workflow = Workflow({"food-bank": NO_PLAN}, HOLIDAYS)

    assert workflow.of("food-bank") == NO_PLAN
    assert workflow.of("gone-agency") == AgencyTerms(1, ActionPlanApproval.DIVERSION_TEAM)


# -- the action plan -------------------------------------------------------------------------------------------


def test_a_plan_awaits_the_diversion_teams_approval_and_a_new_version_supersedes_it() -> None:
    ref = referral(ALCOHOL, status=ReferralStatus.ACCEPTED)
    work = work_on(ref)
    first = uuid.uuid4()

    assert submit(work, ref, plan_id=first) is True
    assert submit(work, ref, plan_id=first) is False, "the same version again"
    assert work.plan.status == PlanStatus.AWAITING_APPROVAL
    submit(work, ref)

    assert [(p.version, p.status) for p in work.plans] == [
        (1, PlanStatus.SUPERSEDED),
        (2, PlanStatus.AWAITING_APPROVAL),
    ]
    with pytest.raises(IllegalTransition, match="version 1 of the plan is superseded"):
        referral_work.approve_plan(work, work.plans[0], "Jo Duty", AT)


def test_approval_and_return_apply_to_the_latest_version_awaiting_and_a_return_needs_a_reason_repeated_once() -> None:
    ref = referral(ALCOHOL, status=ReferralStatus.ACCEPTED)
    work = work_on(ref)
    submit(work, ref)

    assert referral_work.return_plan(work, work.plan, "Jo Duty", "Add a goal on drinking at home.", AT) is True
    assert referral_work.return_plan(work, work.plan, "Jo Duty", "Add a goal on drinking at home.", AT) is False
    with pytest.raises(IllegalTransition, match="returned"):
        referral_work.approve_plan(work, work.plan, "Jo Duty", AT)
    submit(work, ref)
    assert referral_work.approve_plan(work, work.plan, "Jo Duty", AT) is True
    assert referral_work.approve_plan(work, work.plan, "Jo Duty", AT) is False

    assert [s.step for s in work.steps] == [
        WorkStep.ACTION_PLAN_SUBMITTED,
        WorkStep.ACTION_PLAN_RETURNED,
        WorkStep.ACTION_PLAN_SUBMITTED,
        WorkStep.ACTION_PLAN_APPROVED,
    ]
    assert work.plans[0].reason == "Add a goal on drinking at home." and work.plan.decided_by == "Jo Duty"


def test_a_plan_is_approved_on_submission_where_the_catalogue_says_so() -> None:
    ref = referral(ALCOHOL, status=ReferralStatus.ACCEPTED)
    work = work_on(ref)

    submit(work, ref, AUTOMATIC)

    assert (work.plan.status, work.plan.decided_by) == (PlanStatus.APPROVED, "automatic")
    assert [s.step for s in work.steps] == [WorkStep.ACTION_PLAN_SUBMITTED, WorkStep.ACTION_PLAN_APPROVED]


def test_an_agency_that_keeps_no_plan_cannot_submit_one() -> None:
    ref = referral(status=ReferralStatus.ACCEPTED)
    with pytest.raises(IllegalTransition, match="keeps no action plan"):
        submit(work_on(ref), ref, NO_PLAN)


def test_a_plan_sets_a_goal_for_each_need_of_the_referral_and_no_other() -> None:
    ref = referral(ALCOHOL, HOUSING, status=ReferralStatus.ACCEPTED)
    work = work_on(ref)

    with pytest.raises(IllegalTransition, match="a goal for each need of the referral: housing"):
        submit(work, ref, REVIEWED, ALCOHOL)
    with pytest.raises(IllegalTransition, match="not a need of this referral: drug_misuse"):
        submit(work, ref, REVIEWED, ALCOHOL, HOUSING, NeedCategory.DRUG_MISUSE)
    assert work.plans == []


# -- sessions --------------------------------------------------------------------------------------------------


def test_a_session_is_recorded_once_for_an_appointment_scheduled_and_not_missed() -> None:
    held, missed, unknown = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ref = referral(status=ReferralStatus.IN_PROGRESS, scheduled=frozenset({held, missed}), missed=frozenset({missed}))
    work = work_on(ref)

    assert referral_work.record_session(work, ref, held, Engagement.GOOD, True, "raised voice", AT) is True
    assert referral_work.record_session(work, ref, held, Engagement.FULL, False, None, AT) is False
    with pytest.raises(IllegalTransition, match="reported missed"):
        referral_work.record_session(work, ref, missed, Engagement.GOOD, False, None, AT)
    with pytest.raises(IllegalTransition, match="schedule it first"):
        referral_work.record_session(work, ref, unknown, Engagement.GOOD, False, None, AT)

    (step,) = work.steps
    assert step.fields == {"appointment_id": held, "engagement": Engagement.GOOD, "concerning_behaviour": True}
    assert "notes" not in step.fields, "the notes are sealed, never published"


# -- the end-of-service report, and completion ------------------------------------------------------------------


def test_a_referral_completes_only_with_its_end_of_service_report() -> None:
    ref = referral(ALCOHOL, status=ReferralStatus.IN_PROGRESS)
    work = work_on(ref)
    with pytest.raises(IllegalTransition, match="submit the end-of-service report"):
        referral_work.may_complete(None)
    with pytest.raises(IllegalTransition, match="submit the end-of-service report"):
        referral_work.may_complete(work)

    submit(work, ref, AUTOMATIC)
    assert report(work, ref, AUTOMATIC) is True

    referral_work.may_complete(work)
    assert work.steps[-1].step == WorkStep.END_OF_SERVICE_REPORT_SUBMITTED


def test_the_report_waits_for_an_approved_plan_unless_the_agency_keeps_none() -> None:
    ref = referral(ALCOHOL, status=ReferralStatus.IN_PROGRESS)
    work = work_on(ref)
    with pytest.raises(IllegalTransition, match="approved before the end-of-service report"):
        report(work, ref)
    submit(work, ref)
    with pytest.raises(IllegalTransition, match="approved before the end-of-service report"):
        report(work, ref)

    food = referral(NeedCategory.FINANCES_BENEFITS_DEBT, status=ReferralStatus.ACCEPTED, agency_id="food-bank")
    assert report(work_on(food), food, NO_PLAN) is True


def test_the_report_says_how_each_need_and_each_goal_of_the_approved_plan_turned_out() -> None:
    ref = referral(ALCOHOL, HOUSING, status=ReferralStatus.IN_PROGRESS)
    work = work_on(ref)
    submit(work, ref, AUTOMATIC)
    every_goal = tuple(GoalMet(goal.need, goal.text, GoalOutcome.ACHIEVED) for goal in work.plan.goals)

    with pytest.raises(IllegalTransition, match="housing missing"):
        referral_work.submit_report(work, ref, ((ALCOHOL, GoalOutcome.ACHIEVED),), every_goal, None, AT, AUTOMATIC)
    with pytest.raises(IllegalTransition, match="each goal of the approved plan turned out: 1 missing"):
        referral_work.submit_report(
            work,
            ref,
            ((ALCOHOL, GoalOutcome.ACHIEVED), (HOUSING, GoalOutcome.NOT_ACHIEVED)),
            every_goal[:1],
            None,
            AT,
            AUTOMATIC,
        )
    assert report(work, ref, AUTOMATIC, GoalOutcome.PARTLY_ACHIEVED) is True
    assert report(work, ref, AUTOMATIC, GoalOutcome.PARTLY_ACHIEVED) is False, "the same report again"
    assert report(work, ref, AUTOMATIC, GoalOutcome.ACHIEVED) is True, "a corrected report replaces it"
    with pytest.raises(IllegalTransition, match="the plan can no longer change"):
        submit(work, ref, AUTOMATIC)
