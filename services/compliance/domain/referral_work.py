"""An agency's work on one referral, and the rules of each step, as the national *Refer and monitor an
intervention* service runs it with commissioned providers: a caseworker, first contact within the agency's service
level, an action plan the diversion team approves (or returns with a reason), sessions with the person's engagement
and a flag for behaviour the police must hear of, and an end-of-service report on each need and goal — without which
the referral cannot be completed.

Every step is allowed only while the referral is in the agency's hands; most only once it has accepted it. A step
sent again (Kafka delivers at least once; a person clicks twice) is recorded and changes nothing. Each applied step
is one `Step`, which the service layer stores and publishes as `referral.work.recorded`, in order. Nothing here does
I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from uuid import UUID

from schemas.calendar import working_day_due, working_days_after
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
from services.compliance.domain.entities import Referral
from services.compliance.domain.referral_progress import OPEN, IllegalTransition

WORKING = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS})
"""Where the agency's work with the person happens: it has taken the referral on."""


@dataclass(frozen=True)
class AgencyTerms:
    """What the catalogue says of an agency's workflow."""

    first_contact_within_working_days: int
    action_plan: ActionPlanApproval
    name: str | None = None
    """As people read it (the pages show it); None for an agency the catalogue no longer lists."""


@dataclass(frozen=True)
class Workflow:
    """Every agency's terms, and the bank holidays its service levels skip."""

    agencies: Mapping[str, AgencyTerms]
    bank_holidays: frozenset[date]

    @cached_property
    def names(self) -> dict[str, str]:
        """Each agency's name as people read it, by id (an agency the catalogue no longer lists has none)."""
        return {agency_id: terms.name for agency_id, terms in self.agencies.items() if terms.name}

    def of(self, agency_id: str) -> AgencyTerms:
        """An agency the catalogue no longer lists keeps the strictest terms: a plan approved by the diversion team,
        first contact within a working day."""
        return self.agencies.get(agency_id, AgencyTerms(1, ActionPlanApproval.DIVERSION_TEAM))


@dataclass(frozen=True)
class PlanItem:
    need: NeedCategory
    text: str
    """An activity, or a goal."""


@dataclass
class ActionPlan:
    plan_id: UUID
    version: int
    activities: tuple[PlanItem, ...]
    goals: tuple[PlanItem, ...]
    sessions_planned: int
    submitted_at: datetime
    status: PlanStatus
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Session:
    appointment_id: UUID
    engagement: Engagement
    concerning_behaviour: bool
    notes: str | None
    """Sealed."""
    recorded_at: datetime


@dataclass(frozen=True)
class GoalMet:
    need: NeedCategory
    goal: str
    outcome: GoalOutcome


@dataclass(frozen=True)
class EndOfServiceReport:
    needs: tuple[tuple[NeedCategory, GoalOutcome], ...]
    goals: tuple[GoalMet, ...]
    summary: str | None
    """Sealed."""
    submitted_at: datetime


@dataclass(frozen=True)
class Step:
    """One applied step: what `referral.work.recorded` says of it (the fields that apply to the step)."""

    step: WorkStep
    occurred_at: datetime
    fields: dict = field(default_factory=dict)


@dataclass
class ReferralWork:
    referral_id: UUID
    case_id: UUID
    agency_id: str
    caseworker: str | None = None
    first_contact_at: datetime | None = None
    first_contact_method: ContactMethod | None = None
    first_contact_due: date | None = None
    plans: list[ActionPlan] = field(default_factory=list)
    sessions: dict[UUID, Session] = field(default_factory=dict)
    report: EndOfServiceReport | None = None
    sequence: int = 0
    """Count of recorded steps (what `referral.work.recorded` carries)."""
    steps: list[Step] = field(default_factory=list)
    """Applied since the work was loaded, not yet stored and published."""

    @property
    def plan(self) -> ActionPlan | None:
        """The version that counts: the latest submitted."""
        return self.plans[-1] if self.plans else None

    def plan_by_id(self, plan_id: UUID) -> ActionPlan | None:
        return next((plan for plan in self.plans if plan.plan_id == plan_id), None)

    def record(self, step: WorkStep, at: datetime, **fields) -> Step:
        self.sequence += 1
        recorded = Step(step, at, fields)
        self.steps.append(recorded)
        return recorded


# -- the agency's steps -------------------------------------------------------------------------------------------


def assign_caseworker(work: ReferralWork, referral: Referral, caseworker: str, at: datetime) -> bool:
    """Name the worker holding the referral (a new one replaces them); False when it is the same worker again."""
    _in_hand(referral)
    if work.caseworker == caseworker:
        return False
    work.caseworker = caseworker
    work.record(WorkStep.CASEWORKER_ASSIGNED, at, caseworker=caseworker)
    return True


def first_contact(
    work: ReferralWork,
    referral: Referral,
    method: ContactMethod,
    at: datetime,
    terms: AgencyTerms,
    holidays: frozenset[date],
) -> bool:
    """The first time the agency reached the person, judged against its service level in working days from issue;
    later contacts are recorded and change nothing (False)."""
    _in_hand(referral)
    if work.first_contact_at is not None:
        return False
    if referral.issued_at is None:
        raise IllegalTransition("the referral has not been issued to your agency")
    due = working_day_due(referral.issued_at, terms.first_contact_within_working_days, holidays)
    within = working_days_after(referral.issued_at, at, holidays) <= terms.first_contact_within_working_days
    work.first_contact_at, work.first_contact_method, work.first_contact_due = at, method, due
    work.record(
        WorkStep.FIRST_CONTACT_MADE, at, contact_method=method, first_contact_due=due, within_service_level=within
    )
    return True


def submit_plan(
    work: ReferralWork,
    referral: Referral,
    plan_id: UUID,
    activities: tuple[PlanItem, ...],
    goals: tuple[PlanItem, ...],
    sessions_planned: int,
    at: datetime,
    terms: AgencyTerms,
) -> bool:
    """A new version of the action plan: it replaces the earlier one, and awaits the diversion team's approval (or is
    approved at once where the catalogue says so). The same `plan_id` again changes nothing (False)."""
    _working(referral, "submitting an action plan")
    if terms.action_plan == ActionPlanApproval.NO_PLAN:
        raise IllegalTransition("your agency keeps no action plan (the catalogue says so)")
    if work.plan_by_id(plan_id) is not None:
        return False
    if work.report is not None:
        raise IllegalTransition("the end-of-service report is in: the plan can no longer change")
    _covers(referral, goals, "a goal")
    strays = sorted({item.need.value for item in (*activities, *goals)} - {need.value for need in referral.needs})
    if strays and referral.needs:
        raise IllegalTransition(f"not a need of this referral: {', '.join(strays)}")
    for earlier in work.plans:
        if earlier.status in (PlanStatus.AWAITING_APPROVAL, PlanStatus.APPROVED):
            earlier.status = PlanStatus.SUPERSEDED
    version = len(work.plans) + 1
    automatic = terms.action_plan == ActionPlanApproval.AUTOMATIC
    plan = ActionPlan(
        plan_id,
        version,
        activities,
        goals,
        sessions_planned,
        at,
        PlanStatus.APPROVED if automatic else PlanStatus.AWAITING_APPROVAL,
        decided_by="automatic" if automatic else None,
        decided_at=at if automatic else None,
    )
    work.plans.append(plan)
    work.record(WorkStep.ACTION_PLAN_SUBMITTED, at, plan_id=plan_id, plan_version=version, plan_status=plan.status)
    if automatic:
        work.record(WorkStep.ACTION_PLAN_APPROVED, at, plan_id=plan_id, plan_version=version, plan_status=plan.status)
    return True


def record_session(
    work: ReferralWork,
    referral: Referral,
    appointment_id: UUID,
    engagement: Engagement,
    concerning_behaviour: bool,
    notes: str | None,
    at: datetime,
) -> bool:
    """How a session went, for an appointment the agency scheduled and the person did not miss; one per appointment
    (a second is recorded and changes nothing: False)."""
    _in_hand(referral)
    if appointment_id not in referral.scheduled:
        raise IllegalTransition("no appointment with this id was scheduled for this referral; schedule it first")
    if appointment_id in referral.missed:
        raise IllegalTransition("this appointment was reported missed: a session that did not happen has no feedback")
    if appointment_id in work.sessions:
        return False
    work.sessions[appointment_id] = Session(appointment_id, engagement, concerning_behaviour, notes, at)
    work.record(
        WorkStep.SESSION_RECORDED,
        at,
        appointment_id=appointment_id,
        engagement=engagement,
        concerning_behaviour=concerning_behaviour,
    )
    return True


def submit_report(
    work: ReferralWork,
    referral: Referral,
    needs: tuple[tuple[NeedCategory, GoalOutcome], ...],
    goals: tuple[GoalMet, ...],
    summary: str | None,
    at: datetime,
    terms: AgencyTerms,
) -> bool:
    """The end-of-service report: how each of the referral's needs and each goal of the approved plan turned out.
    Sent again before the referral completes, it replaces the first; the same report again changes nothing."""
    _working(referral, "an end-of-service report")
    plan = work.plan
    if terms.action_plan != ActionPlanApproval.NO_PLAN and (plan is None or plan.status != PlanStatus.APPROVED):
        raise IllegalTransition("the action plan must be approved before the end-of-service report")
    reported = {need for need, _ in needs}
    missing = sorted(need.value for need in referral.needs if need not in reported)
    if missing:
        raise IllegalTransition(f"say how each need of the referral turned out: {', '.join(missing)} missing")
    strays = sorted(need.value for need in reported if need not in referral.needs)
    if strays and referral.needs:
        raise IllegalTransition(f"not a need of this referral: {', '.join(strays)}")
    if plan is not None and plan.status == PlanStatus.APPROVED:
        answered = {(goal.need, goal.goal) for goal in goals}
        unanswered = [goal.text for goal in plan.goals if (goal.need, goal.text) not in answered]
        if unanswered:
            raise IllegalTransition(f"say how each goal of the approved plan turned out: {len(unanswered)} missing")
    report = EndOfServiceReport(needs, goals, summary, at)
    if work.report is not None and _same(work.report, report):
        return False
    work.report = report
    work.record(WorkStep.END_OF_SERVICE_REPORT_SUBMITTED, at)
    return True


def may_complete(work: ReferralWork | None) -> None:
    """A referral completes only once its end-of-service report is in."""
    if work is None or work.report is None:
        raise IllegalTransition("submit the end-of-service report before completing the referral")


# -- the diversion team's decisions on a plan ---------------------------------------------------------------------


def approve_plan(work: ReferralWork, plan: ActionPlan, by: str, at: datetime) -> bool:
    """Approve the version awaiting approval; approving it again changes nothing."""
    if plan.status == PlanStatus.APPROVED:
        return False
    _awaiting(work, plan)
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.APPROVED, by, at
    work.record(
        WorkStep.ACTION_PLAN_APPROVED,
        at,
        plan_id=plan.plan_id,
        plan_version=plan.version,
        plan_status=plan.status,
        decided_by=by,
    )
    return True


def return_plan(work: ReferralWork, plan: ActionPlan, by: str, reason: str, at: datetime) -> bool:
    """Send the version awaiting approval back with a reason, for the agency to revise."""
    if plan.status == PlanStatus.RETURNED and plan.reason == reason:
        return False
    _awaiting(work, plan)
    plan.status, plan.decided_by, plan.decided_at, plan.reason = PlanStatus.RETURNED, by, at, reason
    work.record(
        WorkStep.ACTION_PLAN_RETURNED,
        at,
        plan_id=plan.plan_id,
        plan_version=plan.version,
        plan_status=plan.status,
        decided_by=by,
        reason=reason,
    )
    return True


def _awaiting(work: ReferralWork, plan: ActionPlan) -> None:
    if plan.status != PlanStatus.AWAITING_APPROVAL:
        raise IllegalTransition(f"version {plan.version} of the plan is {plan.status.value.replace('_', ' ')}")
    if plan is not work.plan:
        raise IllegalTransition(f"version {plan.version} is not the latest version of the plan")


# -- who may do what, when ----------------------------------------------------------------------------------------


def _in_hand(referral: Referral) -> None:
    if referral.status not in OPEN:
        raise IllegalTransition(f"the referral is {referral.status.value.replace('_', ' ')}: no longer in your hands")


def _working(referral: Referral, what: str) -> None:
    _in_hand(referral)
    if referral.status not in WORKING:
        raise IllegalTransition(f"accept the referral before {what}")


def _covers(referral: Referral, items: tuple[PlanItem, ...], what: str) -> None:
    uncovered = sorted(need.value for need in referral.needs if need not in {item.need for item in items})
    if uncovered:
        raise IllegalTransition(f"the plan needs {what} for each need of the referral: {', '.join(uncovered)}")


def _same(one: EndOfServiceReport, other: EndOfServiceReport) -> bool:
    return (one.needs, one.goals) == (other.needs, other.goals)
