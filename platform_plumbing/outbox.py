"""The transactional outbox: records to publish are written in the same transaction as the state
change they announce, and a relay sends them afterwards.

So a state change is never committed without its event, nor an event sent for a change that
was rolled back. The relay sends in id order (hence per key, in order) and marks rows sent only
after Kafka acknowledged them; a crash in between means a resend, never a loss — consumers
recognise the duplicate through their inbox.

A consumer batch does not wait for the relay: it gives its rows their ids inside its transaction
(`claim_straight`) and sends them itself once it has committed (`OutboxRelay.send_straight`). A row whose
key still has an earlier row unsent is not sent straight but left to the relay, which sends that earlier
row first: per key, Kafka sees the rows in the order they were committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import asyncpg

from platform_plumbing.pending_writes import PendingWrites
from schemas.envelope import EncodedRecord, Headers

COLUMNS = ("topic", "key", "header_names", "header_values", "value")
STRAIGHT_COLUMNS = ("id", *COLUMNS, "straight")

_IDS_AND_WAITING_KEYS = (
    "SELECT array(SELECT nextval('outbox_id_seq') FROM generate_series(1, $1::int)),"
    " array(SELECT DISTINCT key FROM outbox WHERE sent_at IS NULL AND key = ANY($2::bytea[]) AND id <> ALL($3))"
)


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


@dataclass(frozen=True)
class OutboxRow:
    """A row of the outbox as it is sent: `(id, topic, key, header_names, header_values, value)`."""

    id: int
    topic: str
    key: bytes
    header_names: list[str]
    header_values: list[bytes]
    value: bytes | None


async def claim_straight(
    connection: asyncpg.Connection, writes: PendingWrites, acknowledged: Sequence[int] = ()
) -> list[OutboxRow]:
    """The rows queued for the outbox that the batch may send itself once it has committed: call in the
    transaction just before its flush. Every queued row gets its id now (one statement for the batch, which
    also asks which keys have an earlier row unsent); those whose key has none are written as `straight`,
    which the relay leaves to the batch, and returned; the others are the relay's, and wake it.
    `acknowledged`: rows this process sent straight that Kafka has acknowledged but are not marked sent yet
    (`OutboxRelay.acknowledged`) — in Kafka already, they do not hold back a later row of their key."""
    rows = writes.take("outbox")
    if not rows:
        return []
    keys = list({row[1] for row in rows})
    ids, waiting = await connection.fetchrow(_IDS_AND_WAITING_KEYS, len(rows), keys, list(acknowledged))
    waiting = set(waiting)
    queued = [(id_, *row, row[1] not in waiting) for id_, row in zip(sorted(ids), rows, strict=True)]
    writes.add("outbox", STRAIGHT_COLUMNS, queued)
    return [OutboxRow(*row[:-1]) for row in queued if row[-1]]


def queue_in_outbox(writes: PendingWrites, records: Iterable[OutgoingRecord]) -> None:
    """Queue records for publishing with the rest of a transaction's appended rows (see `pending_writes`)."""
    writes.add("outbox", COLUMNS, [record.row() for record in records])
