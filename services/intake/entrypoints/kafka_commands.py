"""Police commands from `diversion.decisions.v1`: the same use cases as the HTTP API.

Each record runs inside the transactional consumer's savepoint, so its case, history, events
and inbox entry commit together with the batch. A command intake must refuse (unknown case,
another force, a closed case) can never succeed on redelivery, so it is dead-lettered with the
reason instead of blocking the partition.
"""

from __future__ import annotations

import asyncpg

from platform_plumbing.transactional_consumer import IncomingEvent, PoisonMessage
from schemas.commands import DiversionDecision, NeedsAssessment
from schemas.registry import carried_by
from schemas.topics import DECISIONS
from services.intake.domain.deadlines import ExtensionRefused
from services.intake.service_layer import handlers
from services.intake.service_layer.results import IntakeError
from services.intake.service_layer.unit_of_work import IntakeContext, UnitOfWork

ACCEPTED = carried_by(DECISIONS)


def command_handler(context: IntakeContext):
    """The handler the transactional consumer calls for each police command."""

    async def handle(connection: asyncpg.Connection, incoming: IncomingEvent) -> None:
        uow = UnitOfWork(connection, context)
        command = incoming.payload
        try:
            if isinstance(command, DiversionDecision):
                await handlers.submit_decision(command, uow, received_via="kafka")
            elif isinstance(command, NeedsAssessment):
                await handlers.assess_needs(command, uow)
            else:
                await handlers.withdraw_case(command, uow)
        except (IntakeError, ExtensionRefused) as error:
            raise PoisonMessage(f"{type(error).__name__}: {error}") from None

    return handle
