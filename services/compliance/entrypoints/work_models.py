"""Bodies of the gateway's routes for the agencies' work (caseworker, first contact, assessment, action plan,
sessions, end-of-service report, notes, concerns) and the diversion team's decisions on it. Like the other
requests: strict, with examples, the ids from the URL and the key; an agency's own id for an assessment, a plan
version, a note or a concern may be given, so that sending it again changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from schemas.commands.agency import FoundNeed, GoalResult, NeedOutcome, PlanActivity, PlanGoal
from schemas.fields import Flag, NoteText, ReasonText, StaffName
from schemas.vocabulary import ConcernKind, ContactMethod, Engagement, NeedCategory, Urgency
from services.compliance.adapters.work_store import PlanAwaiting
from services.compliance.domain.referral_work import ActionPlan, PlanItem, ReferralWork
from services.compliance.domain.reminders import Reminder
from services.compliance.domain.safeguarding import Concern
from services.compliance.entrypoints.report_body import ReportBody


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class CaseworkerRequest(ReportBody):
    model_config = _examples({"caseworker": "Sam Keeper"})
    caseworker: StaffName


class FirstContactRequest(ReportBody):
    model_config = _examples({"method": "phone", "occurred_at": "2026-03-05T11:20:00+00:00"})
    method: ContactMethod


class AssessmentRequest(ReportBody):
    model_config = _examples(
        {
            "needs": [
                {"category": "women_specific_support", "severity": "medium", "onward": "not_needed"},
                {"category": "hidden_victimisation", "severity": "high", "onward": "consented"},
                {"category": "finances_benefits_debt", "severity": "medium", "onward": "refused"},
            ]
        }
    )
    assessment_id: UUID | None = Field(default=None, description="Your id for it; one is made if left out.")
    needs: list[FoundNeed] = Field(
        max_length=len(NeedCategory),
        description="Every need you found, each category once, with how pressing it is and whether the person agreed "
        "to be referred onward for it (`consented`: their details go to the agency that takes it; `refused`: nothing "
        "is disclosed).",
    )


class ActionPlanRequest(ReportBody):
    model_config = _examples(
        {
            "activities": [{"need": "alcohol_misuse", "activity": "Six weekly sessions on drinking and its triggers"}],
            "goals": [{"need": "alcohol_misuse", "goal": "Drink within the low-risk guidelines"}],
            "sessions_planned": 6,
        }
    )
    plan_id: UUID | None = Field(default=None, description="Your id for this version; one is made if left out.")
    activities: list[PlanActivity] = Field(min_length=1, max_length=20)
    goals: list[PlanGoal] = Field(min_length=1, max_length=20, description="At least one for each need.")
    sessions_planned: StrictInt = Field(ge=1, le=100)


class SessionRequest(ReportBody):
    model_config = _examples({"engagement": "good", "concerning_behaviour": False})
    engagement: Engagement = Field(description="not_engaged, limited, good or full.")
    concerning_behaviour: Flag = Field(default=False, description="Alerts the police at once (a concern is raised).")
    notes: NoteText | None = Field(default=None, description="Kept sealed; say what the concern is, if any.")


class EndOfServiceReportRequest(ReportBody):
    model_config = _examples(
        {
            "needs": [{"need": "alcohol_misuse", "outcome": "partly_achieved"}],
            "goals": [
                {"need": "alcohol_misuse", "goal": "Drink within the low-risk guidelines", "outcome": "achieved"}
            ],
            "summary": "Attended five of six sessions; keeps a drink diary.",
        }
    )
    needs: list[NeedOutcome] = Field(
        max_length=len(NeedCategory), description="How each need of the referral turned out."
    )
    goals: list[GoalResult] = Field(default=[], max_length=20, description="How each goal of the approved plan did.")
    summary: NoteText | None = Field(default=None, description="Kept sealed.")


class NoteRequest(ReportBody):
    model_config = _examples({"text": "Asked to move sessions to mornings: starts a new job next week."})
    note_id: UUID | None = Field(default=None, description="Your id for it; one is made if left out.")
    text: NoteText = Field(description="Kept sealed; each read is audited.")


class ConcernRequest(ReportBody):
    model_config = _examples(
        {"kind": "risk_to_a_child", "urgency": "immediate", "details": "Said her son (7) is left alone at night."}
    )
    concern_id: UUID | None = Field(default=None, description="Your id for it; one is made if left out.")
    kind: ConcernKind
    urgency: Urgency = Field(description="immediate: someone is at risk now; within_24_hours; routine.")
    details: NoteText = Field(description="What happened and who is at risk. Kept sealed; read by the police.")


class PlanApprovalRequest(BaseModel):
    model_config = _examples({"by": "Jo Duty"})
    by: StaffName = Field(description="The member of the diversion team who approves it.")


class PlanReturnRequest(BaseModel):
    model_config = _examples({"by": "Jo Duty", "reason": "Add a goal for the finances need."})
    by: StaffName
    reason: ReasonText = Field(description="What to change: the agency reads it.")


class AcknowledgementRequest(BaseModel):
    model_config = _examples({"by": "Jo Duty"})
    by: StaffName = Field(description="Who takes the concern on.")


class WorkResponse(BaseModel):
    referral_id: UUID
    applied: bool = Field(description="False when it was recorded already (sent again) and nothing changed.")


# -- what the gateway shows of the work ---------------------------------------------------------------------------


class PlanView(BaseModel):
    plan_id: UUID
    version: int
    status: str
    activities: list[dict]
    goals: list[dict]
    sessions_planned: int
    submitted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None = Field(description="Why it was returned.")

    @classmethod
    def of(cls, plan: ActionPlan) -> PlanView:
        return cls(
            plan_id=plan.plan_id,
            version=plan.version,
            status=plan.status.value,
            activities=_items(plan.activities, "activity"),
            goals=_items(plan.goals, "goal"),
            sessions_planned=plan.sessions_planned,
            submitted_at=plan.submitted_at,
            decided_by=plan.decided_by,
            decided_at=plan.decided_at,
            reason=plan.reason,
        )


def _items(items: tuple[PlanItem, ...], name: str) -> list[dict]:
    return [{"need": item.need.value, name: item.text} for item in items]


class SessionView(BaseModel):
    appointment_id: UUID
    engagement: str
    concerning_behaviour: bool
    recorded_at: datetime


class ReminderView(BaseModel):
    appointment_id: UUID
    scheduled_for: datetime
    status: str = Field(description="pending, sending, delivered, failed (see `reason`) or not_sent.")
    channel: str | None
    reason: str | None


class WorkView(BaseModel):
    """The agency's work on the referral so far."""

    caseworker: str | None
    first_contact_at: datetime | None
    first_contact_method: str | None
    first_contact_due: date | None = Field(description="The service level: working days from issue.")
    action_plan: PlanView | None = Field(description="The latest version.")
    sessions: list[SessionView]
    end_of_service_report_at: datetime | None
    reminders: list[ReminderView] = Field(
        description="Reminders of appointments sent to the person, and how they went."
    )

    @classmethod
    def of(cls, work: ReferralWork, reminders: list[Reminder]) -> WorkView:
        return cls(
            caseworker=work.caseworker,
            first_contact_at=work.first_contact_at,
            first_contact_method=work.first_contact_method and work.first_contact_method.value,
            first_contact_due=work.first_contact_due,
            action_plan=PlanView.of(work.plan) if work.plan else None,
            sessions=[
                SessionView(
                    appointment_id=s.appointment_id,
                    engagement=s.engagement.value,
                    concerning_behaviour=s.concerning_behaviour,
                    recorded_at=s.recorded_at,
                )
                for s in work.sessions.values()
            ],
            end_of_service_report_at=work.report.submitted_at if work.report else None,
            reminders=[
                ReminderView(
                    appointment_id=r.appointment_id,
                    scheduled_for=r.scheduled_for,
                    status=r.status.value,
                    channel=r.channel and r.channel.value,
                    reason=r.reason,
                )
                for r in reminders
            ],
        )


class NoteView(BaseModel):
    note_id: UUID
    author: str = Field(description="agency or diversion_team.")
    written_by: str
    text: str | None = Field(description="Null once the person's details were erased.")
    written_at: datetime


class PlanAwaitingRow(BaseModel):
    plan_id: UUID
    referral_id: UUID
    case_id: UUID
    agency_id: str
    version: int
    submitted_at: datetime
    activities: list[dict]
    goals: list[dict]
    sessions_planned: int

    @classmethod
    def of(cls, awaiting: PlanAwaiting) -> PlanAwaitingRow:
        return cls(
            **{name: getattr(awaiting, name) for name in ("referral_id", "case_id", "agency_id")},
            **PlanView.of(awaiting.plan).model_dump(include={"plan_id", "version", "submitted_at", "sessions_planned"}),
            activities=_items(awaiting.plan.activities, "activity"),
            goals=_items(awaiting.plan.goals, "goal"),
        )


class ConcernView(BaseModel):
    concern_id: UUID
    case_id: UUID
    referral_id: UUID
    agency_id: str
    force_id: str
    police_reference: str
    kind: str
    urgency: str
    raised_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, concern: Concern) -> ConcernView:
        return cls(**{name: getattr(concern, name) for name in cls.model_fields})


class ConcernDetail(ConcernView):
    details: str | None = Field(description="Opened for you, and the read audited; null once erased.")
