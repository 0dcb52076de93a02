"""One transaction's worth of compliance: the store, the audit log's connection and the event outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import AuditEntry
from platform_plumbing.clock import Clock, IdFactory
from platform_plumbing.event_outbox import EventOutbox, EventSource
from platform_plumbing.personal_data import PersonKeys
from services.compliance.adapters.compliance_store import ComplianceStore
from services.compliance.domain.disclosure import DisclosurePolicy
from services.compliance.domain.rules import ComplianceRules


@dataclass(frozen=True)
class ComplianceContext:
    rules: ComplianceRules
    disclosure: DisclosurePolicy
    clock: Clock
    new_id: IdFactory
    events: EventSource
    person_keys: PersonKeys


class UnitOfWork:
    def __init__(self, connection: asyncpg.Connection, context: ComplianceContext) -> None:
        self.connection = connection
        self.store = ComplianceStore(connection)
        self.outbox = EventOutbox(connection, context.events)
        self.context = context

    def now(self) -> datetime:
        return self.context.clock.now()

    async def audit(self, **entry) -> None:
        """Into the audit trail, in this transaction, dated now (see `platform_plumbing.audit_trail`)."""
        await audit_trail.record(self.connection, AuditEntry(at=self.now(), **entry))
