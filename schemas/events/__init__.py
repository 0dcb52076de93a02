"""Events: past-tense facts, grouped by the topic they are published on."""

from schemas.events.cases import (
    CaseCondition,
    CaseOpened,
    CaseRejected,
    CaseWithdrawn,
    DeadlineExtended,
    NeedsAssessed,
    RuleOutcome,
)
from schemas.events.outcomes import (
    CaseBreached,
    CaseCompleted,
    CaseNonCompletion,
    ConditionBreached,
    ConditionCompleted,
)
from schemas.events.referrals import (
    CandidateAssessment,
    ReferralCancelled,
    ReferralIssued,
    ReferralReassigned,
    ReferralUnmatched,
)
from schemas.events.signals import ReoffendingSignal

__all__ = [
    "CandidateAssessment",
    "CaseBreached",
    "CaseCompleted",
    "CaseCondition",
    "CaseNonCompletion",
    "CaseOpened",
    "CaseRejected",
    "CaseWithdrawn",
    "ConditionBreached",
    "ConditionCompleted",
    "DeadlineExtended",
    "NeedsAssessed",
    "ReferralCancelled",
    "ReferralIssued",
    "ReferralReassigned",
    "ReferralUnmatched",
    "ReoffendingSignal",
    "RuleOutcome",
]
