"""Safeguarding concerns an agency raises about a person it works with (or someone at risk from them), and
behaviour in a session it flags for the police: published to the force at once, and shown to the diversion team
until a named person takes each on. An agency may raise one on any referral issued to it, whatever became of the
referral since: a concern cannot wait on a status. The details are sealed like personal data and read over the
API, each read audited. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schemas.vocabulary import ConcernKind, Urgency


@dataclass
class Concern:
    concern_id: UUID
    case_id: UUID
    referral_id: UUID
    agency_id: str
    force_id: str
    police_reference: str
    kind: ConcernKind
    urgency: Urgency
    details: str | None
    """Sealed (None when the person's details were erased before it was raised)."""
    raised_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


def acknowledge(concern: Concern, by: str, at: datetime) -> bool:
    """A named person takes the concern on; the first to do so is the one recorded (later: False)."""
    if concern.acknowledged_by is not None:
        return False
    concern.acknowledged_by, concern.acknowledged_at = by, at
    return True
