"""Inbound commands: from police systems (`police`), from partner agencies (`agency`) and from the operations
team to the services (`operations`)."""

from schemas.commands.agency import (
    AgencyUpdate,
    AppointmentAttended,
    AppointmentMissed,
    AppointmentScheduled,
    Disengaged,
    GoalResult,
    InterventionCompleted,
    ReferralAccepted,
    ReferralDeclined,
    Withdrawn,
)
from schemas.commands.operations import ReplayDeadLetter
from schemas.commands.police import (
    Authorisation,
    BreachDecision,
    ConditionProgress,
    CriminalHistory,
    DiversionDecision,
    DomesticAbuseScreen,
    ImposedCondition,
    NeedsAssessment,
    Offence,
    SubmittedNeed,
    WithdrawCase,
)

__all__ = [
    "Authorisation",
    "AgencyUpdate",
    "AppointmentAttended",
    "AppointmentMissed",
    "AppointmentScheduled",
    "BreachDecision",
    "ConditionProgress",
    "CriminalHistory",
    "Disengaged",
    "DiversionDecision",
    "DomesticAbuseScreen",
    "GoalResult",
    "ImposedCondition",
    "InterventionCompleted",
    "NeedsAssessment",
    "Offence",
    "ReferralAccepted",
    "ReferralDeclined",
    "ReplayDeadLetter",
    "SubmittedNeed",
    "WithdrawCase",
    "Withdrawn",
]
