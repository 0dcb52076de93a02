"""What compliance records of the agencies' work on their referrals, on `diversion.compliance.v1`: a programme's
own needs assessment (whose consented needs the router refers onward), each step of the work (caseworker, first
contact, action plan and its approval, sessions, end-of-service report, notes, reminders to the person), and
safeguarding concerns — these also on the force's `diversion.concerns.{force}.v1`, without their details, so
that its systems alert someone at once.

Compliance owns all of it. Free text about the person (notes, a concern's details) never travels here: it is kept
sealed by compliance and read over its API, each read audited.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field, StrictInt

from schemas.base import Event
from schemas.fields import AgencyId, ForceId, PoliceReference, ReasonText, Sequence, StaffName
from schemas.parts import EventPart
from schemas.vocabulary import (
    ConcernKind,
    ContactMethod,
    Engagement,
    NeedCategory,
    OnwardReferral,
    PlanStatus,
    ReminderChannel,
    ReminderStatus,
    Severity,
    Urgency,
    WorkStep,
)


class NeedFound(EventPart):
    category: NeedCategory
    severity: Severity
    onward: OnwardReferral


class ProgrammeNeedsFound(Event):
    """A programme's own assessment of the person, made while it holds `referral_id`: every need it found, and
    which the person agreed to be referred onward for. A later `version` for the same referral replaces it."""

    event_type: ClassVar[str] = "uk.police.diversion.needs.found.v1"

    referral_id: UUID = Field(description="The referral the assessing agency holds.")
    agency_id: AgencyId = Field(description="The agency that assessed.")
    assessment_id: UUID
    version: Annotated[StrictInt, Field(ge=1, description="The referral's count of assessments: a higher one wins.")]
    needs: Annotated[tuple[NeedFound, ...], Field(max_length=len(NeedCategory))]
    assessed_at: AwareDatetime


class ReferralWorkRecorded(Event):
    """One step of an agency's work on a referral. The fields that apply to the step are set; the rest are null."""

    event_type: ClassVar[str] = "uk.police.diversion.referral.work.recorded.v1"

    referral_id: UUID
    agency_id: AgencyId
    step: WorkStep
    occurred_at: AwareDatetime
    caseworker: StaffName | None = None
    contact_method: ContactMethod | None = None
    first_contact_due: date | None = Field(
        default=None, description="The agency's service level for first contact, in working days from issue."
    )
    within_service_level: bool | None = None
    plan_id: UUID | None = None
    plan_version: Annotated[StrictInt, Field(ge=1)] | None = None
    plan_status: PlanStatus | None = None
    decided_by: StaffName | None = None
    reason: ReasonText | None = Field(default=None, description="Why a plan was returned, or a reminder failed.")
    appointment_id: UUID | None = None
    engagement: Engagement | None = None
    concerning_behaviour: bool | None = None
    note_id: UUID | None = None
    reminder_channel: ReminderChannel | None = None
    reminder_status: ReminderStatus | None = None
    sequence: Sequence = Field(description="The referral's count of recorded work steps.")


class SafeguardingConcernRecorded(Event):
    """An agency raised a safeguarding concern (or flagged concerning behaviour in a session): the police act at
    once. The details are read over compliance's API (`GET /v1/concerns/{concern_id}`), each read audited."""

    event_type: ClassVar[str] = "uk.police.diversion.concern.recorded.v1"

    concern_id: UUID
    referral_id: UUID
    agency_id: AgencyId
    force_id: ForceId
    police_reference: PoliceReference
    kind: ConcernKind
    urgency: Urgency
    raised_at: AwareDatetime


class SafeguardingConcernAcknowledged(Event):
    """A named person took a concern on: it leaves the list of concerns waiting for someone."""

    event_type: ClassVar[str] = "uk.police.diversion.concern.acknowledged.v1"

    concern_id: UUID
    force_id: ForceId
    police_reference: PoliceReference
    acknowledged_by: StaffName
    acknowledged_at: AwareDatetime
