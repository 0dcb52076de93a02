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

from schemas.envelope import EncodedRecord, Headers


@dataclass(frozen=True)
class OutgoingRecord:
    topic: str
    key: bytes
    headers: Headers
    value: bytes | None

    @classmethod
    def of(cls, topic: str, record: EncodedRecord) -> OutgoingRecord:
        return cls(topic=topic, key=record.key, headers=record.headers, value=record.value)


async def add_to_outbox(connection: asyncpg.Connection, records: Iterable[OutgoingRecord]) -> None:
    """Queue records for publishing; call inside the transaction that makes the state change."""
    rows = [
        (r.topic, r.key, [name for name, _ in r.headers], [value for _, value in r.headers], r.value) for r in records
    ]
    if rows:
        await connection.executemany(
            "INSERT INTO outbox (topic, key, header_names, header_values, value) VALUES ($1, $2, $3, $4, $5)",
            rows,
        )
