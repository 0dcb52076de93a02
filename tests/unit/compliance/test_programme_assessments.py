"""A programme's own assessment, and the safeguarding concerns an agency raises."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from schemas.vocabulary import ConcernKind, NeedCategory, OnwardReferral, ReferralStatus, Severity, Urgency
from services.compliance.domain import programme_assessments, safeguarding
from services.compliance.domain.programme_assessments import FoundNeed
from services.compliance.domain.referral_progress import IllegalTransition
from tests.unit.compliance.case_files import referral

AT = datetime(2026, 4, 8, 10, tzinfo=UTC)
FOUND = (
    FoundNeed(NeedCategory.HIDDEN_VICTIMISATION, Severity.HIGH, OnwardReferral.CONSENTED),
    FoundNeed(NeedCategory.FINANCES_BENEFITS_DEBT, Severity.MEDIUM, OnwardReferral.REFUSED),
)


def test_an_assessment_is_made_once_the_referral_is_accepted_and_each_later_one_is_the_next_version() -> None:
    ref = referral(status=ReferralStatus.ACCEPTED, agency_id="brighter-tomorrows")
    case_id, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    made = programme_assessments.assess(ref, case_id, first, FOUND, AT, earlier=())
    again = programme_assessments.assess(ref, case_id, first, FOUND, AT, earlier=(first,))
    later = programme_assessments.assess(ref, case_id, second, FOUND[:1], AT, earlier=(first,))

    assert (made.version, made.agency_id, made.needs) == (1, "brighter-tomorrows", FOUND)
    assert again is None, "the same assessment sent again changes nothing"
    assert later.version == 2


@pytest.mark.parametrize("status", [ReferralStatus.ISSUED, ReferralStatus.COMPLETED, ReferralStatus.DECLINED])
def test_no_assessment_before_the_referral_is_accepted_or_after_it_left(status) -> None:
    with pytest.raises(IllegalTransition, match="accept the referral"):
        programme_assessments.assess(referral(status=status), uuid.uuid4(), uuid.uuid4(), FOUND, AT, earlier=())


def test_a_concern_is_taken_on_by_the_first_named_person_only() -> None:
    concern = safeguarding.Concern(
        uuid.uuid4(),
        uuid.uuid4(),
        uuid.uuid4(),
        "brighter-tomorrows",
        "cambridgeshire",
        "13YE0000001",
        ConcernKind.RISK_TO_A_CHILD,
        Urgency.IMMEDIATE,
        "sealed",
        AT,
    )

    assert safeguarding.acknowledge(concern, "Jo Duty", AT) is True
    assert safeguarding.acknowledge(concern, "Sam Late", AT) is False
    assert (concern.acknowledged_by, concern.acknowledged_at) == ("Jo Duty", AT)
