"""The router's placements, applied to the referral lifecycle compliance owns.

The router decides *where* needs go (issued, queued for a full agency, unmatched) and when a
referral is no longer wanted (recalled); compliance decides what that does to the referral, given
everything else it knows. So a placement that reaches a case already concluded is cancelled at
once, a recall of a referral the agency has completed changes nothing, and a queued referral the
case's end cancelled stays cancelled when the router, not yet knowing, issues it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schemas.vocabulary import CancellationReason, CaseStatus, NeedCategory, ReferralStatus
from services.compliance.domain.case_file import CaseFile
from services.compliance.domain.entities import Referral
from services.compliance.domain.referral_progress import LEFT_THE_AGENCY, NOT_ISSUED, OPEN


@dataclass(frozen=True)
class Placement:
    referral_id: UUID
    agency_id: str | None
    needs: tuple[NeedCategory, ...]
    status: ReferralStatus
    """`issued`, `queued` or `unmatched`."""
    issued_at: datetime | None = None
    respond_by: datetime | None = None
    replaces: tuple[UUID, ...] = ()
    onward_from: UUID | None = None


def place(file: CaseFile, placement: Placement) -> Referral:
    """Track a referral the router placed (or issue one it had queued); return it."""
    referral = file.referral(placement.referral_id)
    if referral is None:
        referral = Referral(
            referral_id=placement.referral_id,
            agency_id=placement.agency_id,
            needs=placement.needs,
            status=placement.status,
            issued_at=placement.issued_at,
            respond_by=placement.respond_by,
            replaces=placement.replaces,
            onward_from=placement.onward_from,
        )
        file.add_referral(referral)
    elif referral.status == ReferralStatus.QUEUED and placement.status == ReferralStatus.ISSUED:
        file.change_referral(
            referral, ReferralStatus.ISSUED, issued_at=placement.issued_at, respond_by=placement.respond_by
        )
    for replaced in placement.replaces:
        _supersede(file, replaced)
    if not file.tracking and referral.status in OPEN | NOT_ISSUED:
        why = CancellationReason.CASE_WITHDRAWN if file.case.status == CaseStatus.WITHDRAWN else None
        file.change_referral(referral, ReferralStatus.CANCELLED, reason=(why or CancellationReason.CASE_CLOSED).value)
    file.settle()
    return referral


def recall(file: CaseFile, referral: Referral) -> None:
    """The router no longer wants `referral`: cancel it if it is still open; if it had left its agency,
    note that nothing will replace it. Either way the case may now be complete."""
    if referral.status in OPEN | NOT_ISSUED:
        file.change_referral(
            referral, ReferralStatus.CANCELLED, reason=CancellationReason.NEED_NO_LONGER_ASSESSED.value
        )
    elif referral.status in LEFT_THE_AGENCY:
        file.touch(referral, superseded=True)
    file.settle()


def _supersede(file: CaseFile, replaced_id: UUID) -> None:
    replaced = file.referral(replaced_id)
    if replaced is None:
        return
    if replaced.status in NOT_ISSUED:
        file.change_referral(replaced, ReferralStatus.CANCELLED, reason=CancellationReason.REPLACED.value)
    file.touch(replaced, superseded=True)
