"""A partner programme's own assessment of the person (Brighter Tomorrows starts with one: health, finances,
education, drugs and alcohol, anger, domestic abuse, hidden victimisation), made while it holds a referral.

What it finds is routed like the police's needs — but only the needs the person agreed to be referred onward for:
the router discloses nothing of them to another agency without that consent. A later assessment (another id)
replaces the earlier one for the same referral; the same one sent again changes nothing. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schemas.vocabulary import NeedCategory, OnwardReferral, Severity
from services.compliance.domain.entities import Referral
from services.compliance.domain.referral_progress import IllegalTransition
from services.compliance.domain.referral_work import WORKING


@dataclass(frozen=True)
class FoundNeed:
    category: NeedCategory
    severity: Severity
    onward: OnwardReferral


@dataclass(frozen=True)
class ProgrammeAssessment:
    assessment_id: UUID
    referral_id: UUID
    case_id: UUID
    agency_id: str
    version: int
    """The referral's count of assessments: the highest is the one that counts."""
    needs: tuple[FoundNeed, ...]
    assessed_at: datetime


def assess(
    referral: Referral,
    case_id: UUID,
    assessment_id: UUID,
    needs: tuple[FoundNeed, ...],
    at: datetime,
    earlier: tuple[UUID, ...],
) -> ProgrammeAssessment | None:
    """The referral's next assessment, or None when `assessment_id` is one of its `earlier` ones (sent again)."""
    if assessment_id in earlier:
        return None
    if referral.status not in WORKING:
        raise IllegalTransition("accept the referral before submitting your assessment")
    return ProgrammeAssessment(
        assessment_id, referral.referral_id, case_id, referral.agency_id, len(earlier) + 1, needs, at
    )
