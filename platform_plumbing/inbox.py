"""The inbox: which events a service has already processed.

An event id is claimed in the same transaction as the event's effect; if the claim finds the id
already there, the event is a redelivery or a replay and is skipped. Effect and claim commit or
roll back together, so an event is applied exactly once however often Kafka delivers it.
"""

from __future__ import annotations

import asyncpg


async def claim(connection: asyncpg.Connection, event_id: str, topic: str) -> bool:
    """Record `event_id` as processed; False when it already was (the caller must then do nothing)."""
    inserted = await connection.fetchval(
        "INSERT INTO inbox (event_id, topic) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING true",
        event_id,
        topic,
    )
    return bool(inserted)


async def claim_all(connection: asyncpg.Connection, events: list[tuple[str, str]]) -> set[str]:
    """Claim many `(event_id, topic)` at once; returns the ids that were not claimed before.

    An id twice in `events` is claimed once and returned once: the caller applies it once.
    """
    if not events:
        return set()
    rows = await connection.fetch(
        "INSERT INTO inbox (event_id, topic) SELECT * FROM unnest($1::text[], $2::text[])"
        " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        [event_id for event_id, _ in events],
        [topic for _, topic in events],
    )
    return {row["event_id"] for row in rows}


async def forget(connection: asyncpg.Connection, event_id: str) -> None:
    """Un-claim `event_id`: a handler that set the event aside as dead-lettered lets a replay of it count."""
    await connection.execute("DELETE FROM inbox WHERE event_id = $1", event_id)
