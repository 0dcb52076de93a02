"""The transactional outbox: records to publish are written in the same transaction as the state
change they announce, and a relay sends them afterwards.

So a state change is never committed without its event, nor an event sent for a change that
was rolled back. The relay sends in id order (hence per key, in order) and marks rows sent only
after Kafka acknowledged them; a crash in between means a resend, never a loss — consumers
recognise the duplicate through their inbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg

from platform_plumbing.pending_writes import PendingWrites
from schemas.envelope import EncodedRecord, Headers

COLUMNS = ("topic", "key", "header_names", "header_values", "value")


@dataclass(frozen=True)
class OutgoingRecord:
    topic: str
    key: bytes
    headers: Headers
    value: bytes | None

    @classmethod
    def of(cls, topic: str, record: EncodedRecord) -> OutgoingRecord:
        return cls(topic=topic, key=record.key, headers=record.headers, value=record.value)

    def row(self) -> tuple:
        return (
            self.topic,
            self.key,
            [name for name, _ in self.headers],
            [value for _, value in self.headers],
            self.value,
        )


async def add_to_outbox(connection: asyncpg.Connection, records: Iterable[OutgoingRecord]) -> None:
    """Write records for publishing now; call inside the transaction that makes the state change."""
    writes = PendingWrites()
    queue_in_outbox(writes, records)
    await writes.flush(connection)


def queue_in_outbox(writes: PendingWrites, records: Iterable[OutgoingRecord]) -> None:
    """Queue records for publishing with the rest of a transaction's appended rows (see `pending_writes`)."""
    writes.add("outbox", COLUMNS, [record.row() for record in records])
