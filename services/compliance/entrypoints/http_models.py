"""Bodies of the agency gateway. Requests are small and strict (a number is not a time, `0` is not
`false`), with examples, because partner agencies often type them by hand; the ids come from the URL
and the key, never from the body."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from schemas.commands.agency import GoalResult
from schemas.fields import Flag, Timestamp
from schemas.vocabulary import AgencyWithdrawalReason, AppointmentPurpose, DeclineReason, DeliveryMode
from services.compliance.adapters.agency_views import AgencyReferral
from services.compliance.entrypoints.report_body import ReportBody
from services.compliance.entrypoints.work_models import WorkView


class AcceptRequest(ReportBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class DeclineRequest(ReportBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "no_capacity"}]})
    reason: DeclineReason


class ScheduleRequest(ReportBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"purpose": "initial_assessment", "scheduled_for": "2026-03-09T14:00:00+00:00", "mode": "face_to_face"}
            ]
        },
    )
    appointment_id: UUID | None = Field(default=None, description="Your id for it; one is made if left out.")
    purpose: AppointmentPurpose
    scheduled_for: Timestamp
    mode: DeliveryMode


class AttendedRequest(ReportBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class MissedRequest(ReportBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"absence_acceptable": False}]})
    absence_acceptable: Flag = Field(description="Was there an acceptable reason for the absence?")


class CompletionRequest(ReportBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "goals": [
                        {
                            "need": "alcohol_misuse",
                            "goal": "Complete the alcohol awareness course",
                            "outcome": "achieved",
                        }
                    ]
                }
            ]
        },
    )
    goals: list[GoalResult] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Left out: the goals of the end-of-service report (which must come first).",
    )


class DisengagementRequest(ReportBody):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"last_contact_at": "2026-03-20T10:00:00+00:00"}]}
    )
    last_contact_at: Timestamp | None = None


class WithdrawalRequest(ReportBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "moved_out_of_area"}]})
    reason: AgencyWithdrawalReason


class ReferralSummary(BaseModel):
    """A referral as the agency's list shows it: no personal details."""

    referral_id: UUID
    case_id: UUID
    needs: list[str]
    delivery_mode: str
    status: str
    issued_at: datetime
    respond_by: datetime
    onward_from: UUID | None = Field(
        description="An onward referral: the referral whose agency found these needs and referred the person on."
    )

    @classmethod
    def of(cls, referral: AgencyReferral) -> ReferralSummary:
        return cls(
            referral_id=referral.referral_id,
            case_id=referral.case_id,
            needs=referral.needs,
            delivery_mode=referral.delivery_mode,
            status=referral.status,
            issued_at=referral.issued_at,
            respond_by=referral.respond_by,
            onward_from=referral.onward_from,
        )


class UpdateRecord(BaseModel):
    update_type: str
    occurred_at: datetime
    received_at: datetime
    applied: bool


class ReferralDetail(ReferralSummary):
    """One referral: what the agency must deliver and how to contact the person — only the fields the
    agency's catalogue entry allows."""

    unacceptable_absences: int
    brief: dict = Field(
        description="What to deliver and to know to work safely, as far as your agency may see it: the conditions "
        "addressing this referral's needs (kind and text), the case's deadline, the disposal type, each need's "
        "severity, the officer's risk assessment, safeguarding flags, the officer in the case's contact and, for "
        "domestic-abuse programmes only, the DASH risk level."
    )
    personal: dict | None = Field(
        description="The person's contact details, the fields your agency may see; null once the referral is no "
        "longer in your hands, or the details were erased."
    )
    updates: list[UpdateRecord]
    work: WorkView


class UpdateResponse(BaseModel):
    referral_id: UUID
    status: str
    applied: bool = Field(description="False when the update was recorded but changed nothing (late or repeated).")
    case_status: str


class ComplianceRow(BaseModel):
    group: str | None
    completed: int
    breached: int = Field(description="Breaches: awaiting the police, on the penalty path, or decided since.")
    not_completed: int
    no_place_available: int = Field(description="Could not be complied with: no agency could take the person.")
    open: int
    withdrawn: int
    concluded: int = Field(description="completed + breached + not_completed: the rate's denominator.")
    rate: float | None


class ReoffendingRow(BaseModel):
    group: str | None
    cohort: int = Field(description="People whose 24 months after their diversion have passed: the rate's base.")
    named_within_24_months: int
    rate: float | None
    not_yet_mature: int = Field(description="People diverted less than 24 months ago: not counted in the rate yet.")


class ProgrammeCohortRow(BaseModel):
    """One programme, as run by one agency: the people referred to it for the need that defines it."""

    programme: str
    agency_id: str
    people: int
    referrals: int
    completed: int
    active: int
    completion_rate: float | None = Field(description="Completed ÷ referrals that have ended (not still active).")
    needs_found: dict[str, int] = Field(description="Each need, by how many of the cohort's referrals carry it.")


class HeadlineRow(BaseModel):
    """One of the force's headline figures, measured, beside the source's published one where it has one."""

    figure: str
    name: str = Field(description="The figure as people read it.")
    count: int
    cohort: int
    measured: float | None
    source: float | None
    difference: float | None = Field(description="measured − source")


class AwaitingRow(BaseModel):
    """A case waiting for the police: a breach, or a case that could not be complied with."""

    case_id: UUID
    force_id: str
    police_reference: str
    disposal_type: str
    status: str
    reason: str | None
    next_step: str | None
    since: datetime | None
    breach_sequence: int = Field(description="Quote it back to decide on this breach and no later one.")


class ConditionRow(BaseModel):
    kind: str
    open: int
    met: int
    breached: int
    varied: int
    cancelled: int


class PoliceDecisionRow(BaseModel):
    decision: str
    breach_reason: str | None
    decisions: int


class ServiceLevelRow(BaseModel):
    """One agency's referrals issued in one month (local time), and how soon each clock stopped, in working days
    from issue (weekends and bank holidays skipped)."""

    agency_id: str
    month: str
    referrals: int
    accepted: int
    accepted_on_time: int = Field(description="Accepted by the referral's respond-by time.")
    median_days_to_accepted: float | None
    first_contact: int
    first_contact_on_time: int = Field(description="Within the agency's first-contact service level.")
    median_days_to_first_contact: float | None
    plan_approved: int
    median_days_to_plan_approved: float | None
    report: int = Field(description="End-of-service reports in.")
    median_days_to_report: float | None


class OnwardReferralRow(BaseModel):
    """Where an agency's onward referrals went, and where they stand."""

    found_by: str = Field(description="The agency whose assessment found the needs.")
    destination: str = Field(description="The agency that took them, or: no agency could take.")
    outcome: str = Field(description="The onward referral's status.")
    referrals: int


class SafeguardingRow(BaseModel):
    """Safeguarding concerns raised in one month (local time), of one kind and urgency."""

    month: str
    kind: str
    urgency: str
    raised: int
    acknowledged: int
    median_hours_to_acknowledge: float | None
