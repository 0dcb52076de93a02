"""Updates from partner agencies on the referrals they hold, on `diversion.agency-updates.{agency}.v1` (and the
gateway's HTTP API): the referral's progress (accepted, appointments, completed, …) and the agency's work on it
(caseworker, first contact, its own needs assessment, action plan, sessions, end-of-service report, notes,
safeguarding concerns).

They are facts reported by outsiders, so they are strict commands: compliance validates them at
the door, checks that the agency owns the referral, and only then turns them into condition and
case state. Each carries `case_id` because the topic is keyed by it. Their CloudEvents types are
imperative (`referral.accept`), as commands to compliance; the class names say what the agency
reports.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, StrictInt, model_validator

from schemas.base import Command
from schemas.fields import ActivityText, AgencyId, Flag, GoalText, NoteText, StaffName, Timestamp
from schemas.parts import InboundPart
from schemas.vocabulary import (
    AgencyWithdrawalReason,
    AppointmentPurpose,
    ConcernKind,
    ContactMethod,
    DeclineReason,
    DeliveryMode,
    Engagement,
    GoalOutcome,
    NeedCategory,
    OnwardReferral,
    Severity,
    Urgency,
)


class AgencyUpdate(Command):
    """What every agency update says: which referral, whose, and when it happened."""

    case_id: UUID
    referral_id: UUID
    agency_id: AgencyId
    occurred_at: Timestamp


class ReferralAccepted(AgencyUpdate):
    """The agency took the referral on."""

    command_type: ClassVar[str] = "uk.police.diversion.referral.accept.v1"


class ReferralDeclined(AgencyUpdate):
    """The agency will not take the referral; the router tries another agency."""

    command_type: ClassVar[str] = "uk.police.diversion.referral.decline.v1"

    reason: DeclineReason


class AppointmentScheduled(AgencyUpdate):
    """An appointment was booked; the agency's `appointment_id` names it in later updates."""

    command_type: ClassVar[str] = "uk.police.diversion.appointment.schedule.v1"

    appointment_id: UUID
    purpose: AppointmentPurpose
    scheduled_for: Timestamp
    mode: DeliveryMode


class AppointmentAttended(AgencyUpdate):
    """The person attended the appointment."""

    command_type: ClassVar[str] = "uk.police.diversion.appointment.attend.v1"

    appointment_id: UUID


class AppointmentMissed(AgencyUpdate):
    """The person missed the appointment; only an unacceptable absence counts towards breach."""

    command_type: ClassVar[str] = "uk.police.diversion.appointment.miss.v1"

    appointment_id: UUID
    absence_acceptable: Flag


class GoalResult(InboundPart):
    """How one goal of the action plan turned out."""

    need: NeedCategory
    goal: GoalText
    outcome: GoalOutcome


class InterventionCompleted(AgencyUpdate):
    """The intervention ended as planned, with the outcome of each goal (the end-of-service report, which must
    come first, is what counts: these are kept as the agency sent them)."""

    command_type: ClassVar[str] = "uk.police.diversion.intervention.complete.v1"

    goals: Annotated[tuple[GoalResult, ...], Field(min_length=1, max_length=20)]


class Disengaged(AgencyUpdate):
    """The person stopped engaging with the intervention."""

    command_type: ClassVar[str] = "uk.police.diversion.referral.disengage.v1"

    last_contact_at: Timestamp | None = None


class Withdrawn(AgencyUpdate):
    """The agency stopped working with the person for a reason that is not the person's breach."""

    command_type: ClassVar[str] = "uk.police.diversion.referral.withdraw.v1"

    reason: AgencyWithdrawalReason


class CaseworkerAssigned(AgencyUpdate):
    """The worker who holds the referral at the agency (assigning another one replaces them)."""

    command_type: ClassVar[str] = "uk.police.diversion.caseworker.assign.v1"

    caseworker: StaffName


class FirstContactMade(AgencyUpdate):
    """The agency reached the person for the first time: measured against its service level."""

    command_type: ClassVar[str] = "uk.police.diversion.contact.record.v1"

    method: ContactMethod


class FoundNeed(InboundPart):
    """One need the programme's assessment found, how pressing it is, and whether to refer it onward."""

    category: NeedCategory
    severity: Severity
    onward: OnwardReferral = Field(
        description="`consented`: refer it onward, with the person's agreement that their details go to the agency "
        "that takes it; `refused`: they do not agree (nothing is disclosed); `not_needed`: your programme works on "
        "it, or no help is wanted."
    )


class ProgrammeAssessmentSubmitted(AgencyUpdate):
    """The programme's own assessment of the person's needs. A later one (another `assessment_id`) replaces it."""

    command_type: ClassVar[str] = "uk.police.diversion.programme-assessment.submit.v1"

    assessment_id: UUID = Field(description="Yours: the same id sent again is the same assessment.")
    needs: Annotated[tuple[FoundNeed, ...], Field(max_length=len(NeedCategory))]

    @model_validator(mode="after")
    def _each_need_once(self) -> ProgrammeAssessmentSubmitted:
        categories = [need.category for need in self.needs]
        if len(set(categories)) != len(categories):
            raise ValueError("each need category at most once")
        return self


class PlanActivity(InboundPart):
    need: NeedCategory
    activity: ActivityText


class PlanGoal(InboundPart):
    need: NeedCategory
    goal: GoalText


class ActionPlanSubmitted(AgencyUpdate):
    """What the agency will do with the person and what it aims for, for the diversion team to approve. A later
    version (another `plan_id`) replaces it."""

    command_type: ClassVar[str] = "uk.police.diversion.action-plan.submit.v1"

    plan_id: UUID = Field(description="Yours: the same id sent again is the same version.")
    activities: Annotated[tuple[PlanActivity, ...], Field(min_length=1, max_length=20)]
    goals: Annotated[tuple[PlanGoal, ...], Field(min_length=1, max_length=20)]
    sessions_planned: Annotated[StrictInt, Field(ge=1, le=100)]


class SessionRecorded(AgencyUpdate):
    """How an attended session went. `concerning_behaviour` alerts the police at once."""

    command_type: ClassVar[str] = "uk.police.diversion.session.record.v1"

    appointment_id: UUID
    engagement: Engagement
    concerning_behaviour: Flag = False
    notes: NoteText | None = Field(default=None, description="Kept sealed; say what the concern is, if any.")


class NeedOutcome(InboundPart):
    need: NeedCategory
    outcome: GoalOutcome


class EndOfServiceReportSubmitted(AgencyUpdate):
    """How each need and goal turned out. Required before the referral can be completed; sent again before
    then, it replaces the first."""

    command_type: ClassVar[str] = "uk.police.diversion.end-of-service-report.submit.v1"

    needs: Annotated[tuple[NeedOutcome, ...], Field(max_length=len(NeedCategory))]
    goals: Annotated[tuple[GoalResult, ...], Field(max_length=20)] = ()
    summary: NoteText | None = Field(default=None, description="Kept sealed.")


class CaseNoteWritten(AgencyUpdate):
    """A note between the agency and the diversion team about this referral. Kept sealed; each read is audited."""

    command_type: ClassVar[str] = "uk.police.diversion.case-note.write.v1"

    note_id: UUID = Field(description="Yours: the same id sent again is the same note.")
    text: NoteText


class ConcernRaised(AgencyUpdate):
    """A safeguarding concern about the person or someone at risk from them: published to the police at once."""

    command_type: ClassVar[str] = "uk.police.diversion.concern.raise.v1"

    concern_id: UUID = Field(description="Yours: the same id sent again is the same concern.")
    kind: ConcernKind
    urgency: Urgency
    details: NoteText = Field(description="What happened and who is at risk. Kept sealed; read by the police.")
