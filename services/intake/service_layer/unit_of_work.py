"""One transaction's worth of intake: the case repository and the event outbox on one connection.

The caller owns the transaction (an HTTP request opens one; the Kafka consumer runs each record
in a savepoint of its batch's), so that a case, its history and the events announcing it are
committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import AuditEntry
from platform_plumbing.clock import Clock, IdFactory
from platform_plumbing.event_outbox import EventOutbox, EventSource
from platform_plumbing.personal_data import PersonKeys
from services.intake.adapters.case_repository import CaseRepository
from services.intake.domain.policy import Policy


@dataclass(frozen=True)
class IntakeContext:
    """What every intake handler needs besides the command: policy, clock, ids, event source, and the KEK
    that wraps each case's data key."""

    policy: Policy
    clock: Clock
    new_id: IdFactory
    events: EventSource
    person_keys: PersonKeys


class UnitOfWork:
    def __init__(self, connection: asyncpg.Connection, context: IntakeContext) -> None:
        self.connection = connection
        self.cases = CaseRepository(connection)
        self.outbox = EventOutbox(connection, context.events)
        self.context = context

    async def audit(self, **entry) -> None:
        """Into the audit trail, in this transaction, dated now (see `platform_plumbing.audit_trail`)."""
        await audit_trail.record(self.connection, AuditEntry(at=self.context.clock.now(), **entry))
