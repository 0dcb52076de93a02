"""Events held back because they arrived before the case or referral they name (migration 0002).

A consumer batch holds and releases them as a set: what it holds is queued with its other appended rows
(one COPY at its flush), what is held for its cases and referrals is read with the batch (`held_among`),
and what it releases of that is deleted at its flush in one statement (`Releases`). Working through a
backlog in which referrals came before their cases, that is two statements a batch instead of a few per
event."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from aiokafka.structs import ConsumerRecord

from platform_plumbing.database import fits_text
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.transactional_consumer import ChangedMeanwhile

COLUMNS = (
    "awaiting",
    "awaiting_what",
    "event_id",
    "topic",
    "partition",
    "offset",
    "key",
    "header_names",
    "header_values",
    "value",
    "received_at",
)


@dataclass(frozen=True)
class HeldEvent:
    id: int
    event_id: str
    awaiting_what: str
    record: ConsumerRecord


def hold(
    writes: PendingWrites,
    awaiting: UUID,
    awaiting_what: str,
    event_id: str,
    record: ConsumerRecord,
    *,
    now: datetime,
) -> None:
    """Queue the event to be held, written when the transaction flushes. A header whose name holds a NUL is left
    out (the table keeps names as text): no CloudEvents attribute's name can, and holding it once failed the
    batch until the update was dead-lettered instead of held."""
    kept = [(name, value or b"") for name, value in record.headers if fits_text(name)]
    headers = ([name for name, _ in kept], [value for _, value in kept])
    row = (awaiting, awaiting_what, event_id, record.topic, record.partition, record.offset, record.key)
    writes.add("held_events", COLUMNS, [(*row, *headers, record.value, now)])


async def held_among(connection: asyncpg.Connection, ids: Collection[UUID]) -> dict[UUID, list[HeldEvent]]:
    """What is held for each of `ids` (cases, referrals), in arrival order; an id nothing waits for is absent."""
    if not ids:
        return {}
    rows = await connection.fetch("SELECT * FROM held_events WHERE awaiting = ANY($1::uuid[]) ORDER BY id", list(ids))
    held: dict[UUID, list[HeldEvent]] = {}
    for row in rows:
        held.setdefault(row["awaiting"], []).append(_held(row))
    return held


class Releases:
    """Held events a batch released from what it read with `held_among`: deleted when it flushes, in one
    statement (registered with `PendingWrites.before_flush`). The batch holds the locks of the cases it read
    them for, but the expiry sweep takes none: if a row is gone by the flush (the sweep dead-lettered it), the
    batch is run again on what is now true, so an event is never both applied and dead-lettered."""

    def __init__(self) -> None:
        self._ids: list[int] = []

    def add(self, released: list[HeldEvent]) -> None:
        self._ids.extend(held.id for held in released)

    async def __call__(self, connection: asyncpg.Connection) -> None:
        ids, self._ids = self._ids, []
        deleted = await connection.fetchval(
            "WITH gone AS (DELETE FROM held_events WHERE id = ANY($1::bigint[]) RETURNING 1) SELECT count(*) FROM gone",
            ids,
        )
        if deleted != len(ids):
            raise ChangedMeanwhile(f"{len(ids) - deleted} held events released by another transaction meanwhile")


async def release_for(connection: asyncpg.Connection, awaiting: UUID) -> list[HeldEvent]:
    """The events held for `awaiting`, in arrival order, no longer held."""
    rows = await connection.fetch("DELETE FROM held_events WHERE awaiting = $1 RETURNING *", awaiting)
    return [_held(row) for row in sorted(rows, key=lambda row: row["id"])]


async def release_expired(connection: asyncpg.Connection, *, received_before: datetime, limit: int) -> list[HeldEvent]:
    """Events held since before `received_before`, oldest first; rows other replicas hold are skipped."""
    rows = await connection.fetch(
        "DELETE FROM held_events WHERE id IN (SELECT id FROM held_events WHERE received_at < $1"
        " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING *",
        received_before,
        limit,
    )
    return [_held(row) for row in sorted(rows, key=lambda row: row["id"])]


def _held(row: asyncpg.Record) -> HeldEvent:
    record = ConsumerRecord(
        topic=row["topic"],
        partition=row["partition"],
        offset=row["offset"],
        timestamp=0,
        timestamp_type=0,
        key=row["key"],
        value=row["value"],
        checksum=None,
        serialized_key_size=len(row["key"] or b""),
        serialized_value_size=len(row["value"] or b""),
        headers=list(zip(row["header_names"], row["header_values"], strict=True)),
    )
    return HeldEvent(row["id"], row["event_id"], row["awaiting_what"], record)
