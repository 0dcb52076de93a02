"""What every service's unit of work shares: one connection in a transaction, the rows it appends, its
outbox and its audit trail.

Appended rows (events, audit entries, history) are queued in `writes` and written together before the
transaction commits (see `pending_writes`). A unit of work used alone — an HTTP request, a sweep — owns
its writes and flushes them when its `async with` block ends without an error; one running inside a
consumer's batch is given the batch's writes, which the consumer flushes once for the whole batch.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import AuditEntry
from platform_plumbing.event_outbox import EventOutbox, EventSource
from platform_plumbing.pending_writes import PendingWrites


class TransactionalWork:
    def __init__(self, connection: asyncpg.Connection, events: EventSource, writes: PendingWrites | None) -> None:
        self.connection = connection
        self._owns_writes = writes is None
        self.writes = PendingWrites() if writes is None else writes
        self.outbox = EventOutbox(self.writes, events)
        self._clock = events.clock

    def now(self) -> datetime:
        return self._clock.now()

    def audit(self, **entry) -> None:
        """Into the audit trail, in this transaction, dated now (see `platform_plumbing.audit_trail`)."""
        audit_trail.queue(self.writes, AuditEntry(at=self.now(), **entry))

    async def __aenter__(self):
        return self

    async def __aexit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if error_type is None and self._owns_writes:
            await self.writes.flush(self.connection)
