"""Outcome facts published by compliance on `diversion.compliance.v1`, for police and operations.

Case outcomes carry the police's own reference so a police system can act on them without
keeping a map of platform case ids.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime

from schemas.base import Event
from schemas.fields import ForceId, PoliceReference
from schemas.vocabulary import BreachNextStep, DisposalType, NonComplianceReason


class ConditionCompleted(Event):
    """One condition of the disposal was met."""

    event_type: ClassVar[str] = "uk.police.diversion.condition.completed.v1"

    condition_id: UUID
    completed_at: AwareDatetime


class ConditionBreached(Event):
    """One condition was not met without a reasonable excuse."""

    event_type: ClassVar[str] = "uk.police.diversion.condition.breached.v1"

    condition_id: UUID
    reason: NonComplianceReason
    breached_at: AwareDatetime


class CaseCompleted(Event):
    """Every condition was met in time; the disposal is complete."""

    event_type: ClassVar[str] = "uk.police.diversion.case.completed.v1"

    force_id: ForceId
    police_reference: PoliceReference
    disposal_type: DisposalType
    completed_at: AwareDatetime


class CaseBreached(Event):
    """A caution was breached; the police now decide, on the path `next_step` names."""

    event_type: ClassVar[str] = "uk.police.diversion.case.breached.v1"

    force_id: ForceId
    police_reference: PoliceReference
    disposal_type: DisposalType
    reason: NonComplianceReason
    next_step: BreachNextStep
    breached_at: AwareDatetime


class CaseNonCompletion(Event):
    """A community resolution was not completed; it is recorded, and nothing is enforced."""

    event_type: ClassVar[str] = "uk.police.diversion.case.noncompleted.v1"

    force_id: ForceId
    police_reference: PoliceReference
    disposal_type: DisposalType
    reason: NonComplianceReason
    recorded_at: AwareDatetime
