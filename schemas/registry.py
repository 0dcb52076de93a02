"""Every message type the platform knows, indexed by its CloudEvents `type`.

The tuples are the single list of the contract: the envelope decodes with these maps, the
JSON Schema export writes one file per entry, and the tests walk them. Two classes claiming
one `type` would make decoding ambiguous, so that fails at import.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel

from schemas.base import Command, Event
from schemas.commands import (
    ActionPlanSubmitted,
    AppointmentAttended,
    AppointmentMissed,
    AppointmentScheduled,
    BreachDecision,
    CaseNoteWritten,
    CaseworkerAssigned,
    ConcernRaised,
    ConditionProgress,
    Disengaged,
    DiversionDecision,
    EndOfServiceReportSubmitted,
    FirstContactMade,
    InterventionCompleted,
    NeedsAssessment,
    ProgrammeAssessmentSubmitted,
    ReferralAccepted,
    ReferralDeclined,
    ReplayDeadLetter,
    SessionRecorded,
    WithdrawCase,
    Withdrawn,
)
from schemas.envelope import type_of
from schemas.events import (
    BreachDecisionRecorded,
    CaseOpened,
    CaseRejected,
    CaseStatusChanged,
    CaseWithdrawn,
    ConditionProgressReported,
    ConditionStatusChanged,
    DeadlineExtended,
    NeedsAssessed,
    ProgrammeNeedsFound,
    ReferralIssued,
    ReferralQueued,
    ReferralRecalled,
    ReferralStatusChanged,
    ReferralUnmatched,
    ReferralWorkRecorded,
    ReoffendingSignal,
    SafeguardingConcernAcknowledged,
    SafeguardingConcernRecorded,
)
from schemas.topics import Topic

M = TypeVar("M", bound=BaseModel)

POLICE_COMMANDS: tuple[type[Command], ...] = (
    DiversionDecision,
    NeedsAssessment,
    WithdrawCase,
    ConditionProgress,
    BreachDecision,
)
AGENCY_UPDATES: tuple[type[Command], ...] = (
    ReferralAccepted,
    ReferralDeclined,
    AppointmentScheduled,
    AppointmentAttended,
    AppointmentMissed,
    InterventionCompleted,
    Disengaged,
    Withdrawn,
)
AGENCY_WORK: tuple[type[Command], ...] = (
    CaseworkerAssigned,
    FirstContactMade,
    ProgrammeAssessmentSubmitted,
    ActionPlanSubmitted,
    SessionRecorded,
    EndOfServiceReportSubmitted,
    CaseNoteWritten,
    ConcernRaised,
)
"""What an agency reports of its own work on a referral (`AGENCY_UPDATES` are what move the referral on)."""
OPERATIONS_COMMANDS: tuple[type[Command], ...] = (ReplayDeadLetter,)
EVENTS: tuple[type[Event], ...] = (
    CaseOpened,
    CaseRejected,
    CaseWithdrawn,
    NeedsAssessed,
    DeadlineExtended,
    ConditionProgressReported,
    BreachDecisionRecorded,
    ReferralIssued,
    ReferralQueued,
    ReferralUnmatched,
    ReferralRecalled,
    ReferralStatusChanged,
    ConditionStatusChanged,
    CaseStatusChanged,
    ReoffendingSignal,
    ProgrammeNeedsFound,
    ReferralWorkRecorded,
    SafeguardingConcernRecorded,
    SafeguardingConcernAcknowledged,
)


def index_by_type(classes: Iterable[type[M]]) -> dict[str, type[M]]:
    """Map each class's CloudEvents `type` to the class; raise ValueError on a shared `type`."""
    index: dict[str, type[M]] = {}
    for cls in classes:
        name = type_of(cls)
        if name in index:
            raise ValueError(f"{cls.__name__} and {index[name].__name__} share the type {name!r}")
        index[name] = cls
    return index


COMMAND_TYPES: dict[str, type[Command]] = index_by_type(
    POLICE_COMMANDS + AGENCY_UPDATES + AGENCY_WORK + OPERATIONS_COMMANDS
)
EVENT_TYPES: dict[str, type[Event]] = index_by_type(EVENTS)
MESSAGE_TYPES: dict[str, type[BaseModel]] = index_by_type((*COMMAND_TYPES.values(), *EVENT_TYPES.values()))


def carried_by(*topics: Topic) -> dict[str, type[BaseModel]]:
    """The message types a consumer of `topics` must be able to decode, by CloudEvents `type`."""
    return {message_type: MESSAGE_TYPES[message_type] for topic in topics for message_type in topic.carries}
