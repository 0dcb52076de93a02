"""Bodies of the agency gateway. Requests are small and strict, with examples, because partner
agencies often type them by hand; the ids come from the URL and the key, never from the body."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schemas.commands.agency import GoalResult
from schemas.personal import PersonalDetails
from schemas.vocabulary import AgencyWithdrawalReason, AppointmentPurpose, DeclineReason, DeliveryMode


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_at: AwareDatetime | None = Field(
        default=None, description="When it happened; now if left out.", examples=["2026-03-04T10:00:00+00:00"]
    )


class AcceptRequest(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class DeclineRequest(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "no_capacity"}]})
    reason: DeclineReason


class ScheduleRequest(_Request):
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
    scheduled_for: AwareDatetime
    mode: DeliveryMode


class AttendedRequest(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class MissedRequest(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"absence_acceptable": False}]})
    absence_acceptable: bool = Field(description="Was there an acceptable reason for the absence?")


class CompletionRequest(_Request):
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
    goals: list[GoalResult] = Field(min_length=1, max_length=20)


class DisengagementRequest(_Request):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"last_contact_at": "2026-03-20T10:00:00+00:00"}]}
    )
    last_contact_at: AwareDatetime | None = None


class WithdrawalRequest(_Request):
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


class UpdateRecord(BaseModel):
    update_type: str
    occurred_at: datetime
    received_at: datetime
    applied: bool


class ReferralDetail(ReferralSummary):
    """One referral with the contact details the agency needs to work with the person."""

    unacceptable_absences: int
    personal: PersonalDetails | None
    updates: list[UpdateRecord]


class UpdateResponse(BaseModel):
    referral_id: UUID
    status: str
    applied: bool = Field(description="False when the update was recorded but changed nothing (late or repeated).")
    case_status: str


class ComplianceRow(BaseModel):
    group: str | None
    completed: int
    breached: int
    not_completed: int
    open: int
    concluded: int
    rate: float | None


class ReoffendingRow(BaseModel):
    group: str | None
    diverted: int
    named_within_24_months: int
    rate: float | None


class BreachRow(BaseModel):
    case_id: UUID
    force_id: str
    police_reference: str
    disposal_type: str
    reason: str | None
    breached_at: datetime | None
