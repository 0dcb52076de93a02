"""What intake hears on Kafka: police commands on each force's `diversion.decisions.{force}.v1` (the
same use cases as the HTTP API) and compliance's decisions on `diversion.compliance.v1`, which it
follows so police see every outcome — dispatched by type.

A force is who the broker let write the topic: a command naming another force is refused, as the
HTTP API refuses a key of one force acting for another.

Each record runs inside the transactional consumer's batch, so its case, history, events and inbox
entry commit together. A command intake must refuse (unknown case, another force, a status it makes
no sense for) can never succeed on redelivery, so it is dead-lettered with the reason instead of
blocking the partition.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from pydantic import BaseModel

from platform_plumbing.kafka_acls import police_principal
from platform_plumbing.transactional_consumer import Batch, IncomingEvent, PoisonMessage, check_sender
from schemas.commands import BreachDecision, ConditionProgress, DiversionDecision, NeedsAssessment, WithdrawCase
from schemas.events import (
    CaseStatusChanged,
    ConditionStatusChanged,
    ProgrammeNeedsFound,
    ReferralStatusChanged,
    ReferralWorkRecorded,
    SafeguardingConcernAcknowledged,
    SafeguardingConcernRecorded,
)
from schemas.registry import POLICE_COMMANDS, carried_by
from schemas.topics import COMPLIANCE, DECISIONS
from services.intake.adapters.intake_batch import IntakeBatch, load_batch
from services.intake.domain.deadlines import ExtensionRefused
from services.intake.service_layer import following, handlers, police_reports
from services.intake.service_layer.results import IntakeError
from services.intake.service_layer.unit_of_work import IntakeContext, UnitOfWork

TOPICS = (DECISIONS, COMPLIANCE)
ACCEPTED = carried_by(*TOPICS)


def _from_kafka(command: BaseModel) -> str:
    """Who sent a command over Kafka, for the audit trail: the force's principal, whose topic it came on."""
    return police_principal(command.force_id)


APPLY: dict[type[BaseModel], Callable[[BaseModel, UnitOfWork], Awaitable[object]]] = {
    DiversionDecision: lambda command, uow: handlers.submit_decision(
        command, uow, received_via="kafka", actor=_from_kafka(command)
    ),
    NeedsAssessment: lambda command, uow: handlers.assess_needs(command, uow, actor=_from_kafka(command)),
    WithdrawCase: lambda command, uow: handlers.withdraw_case(command, uow, actor=_from_kafka(command)),
    ConditionProgress: lambda command, uow: police_reports.report_condition(command, uow, actor=_from_kafka(command)),
    BreachDecision: lambda command, uow: police_reports.decide_breach(command, uow, actor=_from_kafka(command)),
    CaseStatusChanged: following.case_changed,
    ConditionStatusChanged: following.condition_changed,
    ReferralStatusChanged: following.referral_changed,
    ProgrammeNeedsFound: following.needs_found,
    SafeguardingConcernRecorded: following.concern_recorded,
    SafeguardingConcernAcknowledged: following.concern_acknowledged,
    ReferralWorkRecorded: following.not_followed,
}


async def load(connection: asyncpg.Connection, events: Sequence[IncomingEvent]) -> IntakeBatch:
    """The batch's load step (see `intake_batch`): the cases its decisions' police references name, and what
    intake holds of the cases, conditions and referrals whose changes it follows."""
    payloads = [e.payload for e in events]
    followed = {
        kind: {getattr(p, f"{kind}_id") for p in payloads if type(p) in types} for kind, types in _FOLLOWED.items()
    }
    return await load_batch(
        connection,
        {(p.force_id, p.police_reference) for p in payloads if type(p) is DiversionDecision},
        followed,
    )


_FOLLOWED = {
    "case": (CaseStatusChanged, ReferralStatusChanged),  # a referral is followed only for a case held here
    "condition": (ConditionStatusChanged,),
    "referral": (ReferralStatusChanged,),
}


def command_handler(context: IntakeContext):
    """The handler the transactional consumer calls for each record."""

    async def handle(batch: Batch, incoming: IncomingEvent) -> None:
        if type(incoming.payload) in POLICE_COMMANDS:
            check_sender(incoming, DECISIONS, context.events.topic_prefix, incoming.payload.force_id)
        try:
            await APPLY[type(incoming.payload)](
                incoming.payload, UnitOfWork(batch.connection, context, batch.writes, batch.loaded)
            )
        except (IntakeError, ExtensionRefused) as error:
            raise PoisonMessage(f"{type(error).__name__}: {error}") from None

    return handle
