"""Events held back because they arrived before the case or referral they name (migration 0002)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from aiokafka.structs import ConsumerRecord


@dataclass(frozen=True)
class HeldEvent:
    event_id: str
    awaiting_what: str
    record: ConsumerRecord


async def hold(
    connection: asyncpg.Connection,
    awaiting: UUID,
    awaiting_what: str,
    event_id: str,
    record: ConsumerRecord,
    *,
    now: datetime,
) -> None:
    await connection.execute(
        'INSERT INTO held_events (awaiting, awaiting_what, event_id, topic, partition, "offset", key,'
        " header_names, header_values, value, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        awaiting,
        awaiting_what,
        event_id,
        record.topic,
        record.partition,
        record.offset,
        record.key,
        [name for name, _ in record.headers],
        [value or b"" for _, value in record.headers],
        record.value,
        now,
    )


async def awaited_among(connection: asyncpg.Connection, ids: set[UUID]) -> set[UUID]:
    """Those of `ids` (cases, referrals) that events are held for."""
    if not ids:
        return set()
    rows = await connection.fetch(
        "SELECT DISTINCT awaiting FROM held_events WHERE awaiting = ANY($1::uuid[])", list(ids)
    )
    return {row["awaiting"] for row in rows}


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
    return HeldEvent(row["event_id"], row["awaiting_what"], record)
