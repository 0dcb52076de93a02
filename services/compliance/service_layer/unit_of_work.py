"""One transaction's worth of compliance: the case files' store, the agencies' work, the event outbox and the audit
trail on one connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from platform_plumbing.clock import Clock, IdFactory
from platform_plumbing.event_outbox import EventSource
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.personal_data import PersonKeys
from platform_plumbing.unit_of_work import TransactionalWork
from services.compliance.adapters.compliance_store import CaseFiles, ComplianceStore
from services.compliance.adapters.people_store import PeopleStore
from services.compliance.adapters.work_store import WorkStore
from services.compliance.domain.disclosure import DisclosurePolicy
from services.compliance.domain.referral_work import Workflow
from services.compliance.domain.rules import ComplianceRules


@dataclass(frozen=True)
class ComplianceContext:
    rules: ComplianceRules
    disclosure: DisclosurePolicy
    workflow: Workflow
    clock: Clock
    new_id: IdFactory
    events: EventSource
    person_keys: PersonKeys
    reminder_lead: timedelta = timedelta(hours=24)
    """How long before an appointment the person is reminded of it."""


class UnitOfWork(TransactionalWork):
    def __init__(
        self,
        connection: asyncpg.Connection,
        context: ComplianceContext,
        writes: PendingWrites | None = None,
        files: CaseFiles | None = None,
        *,
        locks_cases: bool = True,
    ) -> None:
        """`writes` and `files`: a consumer batch's, shared by the units of work of its records; `locks_cases`: see
        `ComplianceStore`."""
        super().__init__(connection, context.events, writes)
        self.store = ComplianceStore(connection, self.writes, files, locks_cases=locks_cases)
        self.work = WorkStore(connection, self.writes, self.store.files.work, self.store.will_write)
        self.people = PeopleStore(connection)
        self.context = context
