"""Updates from partner agencies on the referrals they hold, on `diversion.agency-updates.v1`.

They are facts reported by outsiders, so they are strict commands: compliance validates them at
the door, checks that the agency owns the referral, and only then turns them into condition and
case state. Each carries `case_id` because the topic is keyed by it. Their CloudEvents types are
imperative (`referral.accept`), as commands to compliance; the class names say what the agency
reports.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from schemas.base import Command
from schemas.fields import AgencyId, Flag, GoalText, Timestamp
from schemas.parts import InboundPart
from schemas.vocabulary import (
    AgencyWithdrawalReason,
    AppointmentPurpose,
    DeclineReason,
    DeliveryMode,
    GoalOutcome,
    NeedCategory,
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
    """The intervention ended as planned, with the outcome of each goal."""

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
