"""One transaction's worth of intake: the case repository, the event outbox and the audit trail on one
connection.

The caller owns the transaction (an HTTP request opens one; the Kafka consumer runs its whole batch in
one), so that a case, its history and the events announcing it are committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from platform_plumbing.clock import Clock, IdFactory
from platform_plumbing.event_outbox import EventSource
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.personal_data import PersonKeys
from platform_plumbing.unit_of_work import TransactionalWork
from services.intake.adapters.case_repository import CaseRepository
from services.intake.adapters.intake_batch import IntakeBatch
from services.intake.domain.policy import Policies


@dataclass(frozen=True)
class IntakeContext:
    """What every intake handler needs besides the command: the policy of each force it serves, clock, ids,
    event source, and the KEK that wraps each case's data key."""

    policies: Policies
    clock: Clock
    new_id: IdFactory
    events: EventSource
    person_keys: PersonKeys


class UnitOfWork(TransactionalWork):
    def __init__(
        self,
        connection: asyncpg.Connection,
        context: IntakeContext,
        writes: PendingWrites | None = None,
        batch: IntakeBatch | None = None,
    ) -> None:
        """`writes` and `batch`: a consumer batch's, shared by the units of work of its records."""
        super().__init__(connection, context.events, writes)
        self.cases = CaseRepository(connection, self.writes, batch)
        self.context = context
