"""The router's placements applied to the lifecycle compliance owns: the owner decides what they change."""

from __future__ import annotations

import uuid
from datetime import timedelta

from schemas.vocabulary import CaseStatus, ReferralStatus
from services.compliance.domain.placements import Placement, place, recall
from services.compliance.domain.police_actions import withdraw
from tests.unit.compliance.case_files import ALCOHOL, HOUSING, NOW, agency_condition, case_file, referral


def placed(status: ReferralStatus, **fields) -> Placement:
    issued = status == ReferralStatus.ISSUED
    values = dict(
        referral_id=uuid.uuid4(),
        agency_id=None if status == ReferralStatus.UNMATCHED else "substance-misuse-treatment",
        needs=(ALCOHOL,),
        status=status,
        issued_at=NOW if issued else None,
        respond_by=NOW + timedelta(days=5) if issued else None,
    )
    return Placement(**{**values, **fields})


def test_a_placement_is_tracked_and_published_as_the_referrals_first_change() -> None:
    file = case_file(conditions=[agency_condition()])

    referral = place(file, placed(ReferralStatus.ISSUED))

    assert referral.status == ReferralStatus.ISSUED and referral.referral_id in file.added
    assert [(c.previous, c.entity.status, c.entity.sequence) for c in file.changes] == [
        (None, ReferralStatus.ISSUED, 1)
    ]


def test_a_queued_referral_is_issued_under_the_same_id_when_a_place_frees() -> None:
    file = case_file(conditions=[agency_condition()])
    queued = placed(ReferralStatus.QUEUED)
    place(file, queued)

    place(file, placed(ReferralStatus.ISSUED, referral_id=queued.referral_id))

    assert [r.status for r in file.referrals] == [ReferralStatus.ISSUED]
    assert file.referrals[0].respond_by is not None


def test_a_placement_that_reaches_a_concluded_case_is_cancelled_at_once() -> None:
    file = case_file(conditions=[agency_condition()])
    withdraw(file)

    referral = place(file, placed(ReferralStatus.ISSUED))

    assert (referral.status, referral.reason) == (ReferralStatus.CANCELLED, "case_withdrawn")


def test_a_queued_referral_cancelled_by_the_cases_end_stays_cancelled_when_the_router_issues_it() -> None:
    file = case_file(conditions=[agency_condition()])
    queued = placed(ReferralStatus.QUEUED)
    place(file, queued)
    withdraw(file)

    place(file, placed(ReferralStatus.ISSUED, referral_id=queued.referral_id))

    assert file.referrals[0].status == ReferralStatus.CANCELLED


def test_a_replacement_supersedes_the_referral_it_replaces() -> None:
    declined = referral(status=ReferralStatus.DECLINED)
    unmatched = referral(HOUSING, status=ReferralStatus.UNMATCHED, agency_id=None)
    file = case_file(conditions=[agency_condition()], referrals=[declined, unmatched])
    assert declined.in_play and unmatched.in_play

    place(file, placed(ReferralStatus.ISSUED, replaces=(declined.referral_id,)))
    place(file, placed(ReferralStatus.QUEUED, needs=(HOUSING,), replaces=(unmatched.referral_id,)))

    assert declined.superseded and not declined.in_play
    assert (unmatched.status, unmatched.reason) == (ReferralStatus.CANCELLED, "replaced")


def test_a_recall_cancels_only_what_is_still_open_and_may_leave_the_case_complete() -> None:
    completed = referral(status=ReferralStatus.COMPLETED)
    issued = referral(HOUSING)
    file = case_file(referrals=[completed, issued])

    recall(file, completed)
    recall(file, issued)

    assert [r.status for r in file.referrals] == [ReferralStatus.COMPLETED, ReferralStatus.CANCELLED]
    assert file.case.status == CaseStatus.COMPLETED, "the one referral left was completed"
