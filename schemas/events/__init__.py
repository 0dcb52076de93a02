"""Events: past-tense facts, grouped by the topic they are published on."""

from schemas.events.cases import (
    BreachDecisionRecorded,
    CaseCondition,
    CaseOpened,
    CaseRejected,
    CaseWithdrawn,
    ConditionProgressReported,
    DeadlineExtended,
    NeedsAssessed,
    RuleOutcome,
)
from schemas.events.outcomes import CaseStatusChanged, ConditionStatusChanged, ReferralStatusChanged
from schemas.events.referrals import (
    CandidateAssessment,
    ConditionToDeliver,
    DeliveryBrief,
    ReferralIssued,
    ReferralQueued,
    ReferralRecalled,
    ReferralUnmatched,
)
from schemas.events.signals import ReoffendingSignal
from schemas.events.work import (
    NeedFound,
    ProgrammeNeedsFound,
    ReferralWorkRecorded,
    SafeguardingConcernAcknowledged,
    SafeguardingConcernRecorded,
)

__all__ = [
    "BreachDecisionRecorded",
    "CandidateAssessment",
    "CaseCondition",
    "CaseOpened",
    "CaseRejected",
    "CaseStatusChanged",
    "CaseWithdrawn",
    "ConditionProgressReported",
    "ConditionStatusChanged",
    "ConditionToDeliver",
    "DeadlineExtended",
    "DeliveryBrief",
    "NeedFound",
    "NeedsAssessed",
    "ProgrammeNeedsFound",
    "ReferralIssued",
    "ReferralQueued",
    "ReferralRecalled",
    "ReferralStatusChanged",
    "ReferralUnmatched",
    "ReferralWorkRecorded",
    "ReoffendingSignal",
    "RuleOutcome",
    "SafeguardingConcernAcknowledged",
    "SafeguardingConcernRecorded",
]
