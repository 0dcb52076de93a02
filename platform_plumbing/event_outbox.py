"""Publishing events from inside a unit of work: encode as CloudEvents and queue in the outbox.

Services say *what* happened (`await outbox.publish(CaseOpened(...))`); this decides the topic
(from the catalogue), the key (the case id), the CloudEvents id and time (injected), and writes
the record in the caller's transaction. Nothing reaches Kafka unless that transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg

from platform_plumbing.clock import Clock, IdFactory
from platform_plumbing.outbox import OutgoingRecord, add_to_outbox
from platform_plumbing.tracing import trace_headers
from schemas.base import Command, Event
from schemas.envelope import encode, type_of
from schemas.topics import topic_carrying


@dataclass(frozen=True)
class EventSource:
    """What every event of one service shares: its CloudEvents `source`, clock, ids and topic prefix."""

    source: str
    clock: Clock
    new_id: IdFactory
    topic_prefix: str = ""


class EventOutbox:
    def __init__(self, connection: asyncpg.Connection, source: EventSource) -> None:
        self._connection = connection
        self._source = source

    async def publish(self, *events: Event | Command) -> list[str]:
        """Queue `events` (in order) for publishing on their home topics; return their CloudEvents ids."""
        return await self._queue(events, lambda event: topic_carrying(type_of(event)).name)

    async def publish_to(self, topic: str, *events: Event) -> list[str]:
        """Queue `events` on `topic` (a catalogue name, e.g. one agency's topic), whatever their home topic."""
        return await self._queue(events, lambda event: topic)

    async def _queue(self, events: Sequence[Event | Command], topic_of: Callable[[Event | Command], str]) -> list[str]:
        ids, records = [], []
        trace = trace_headers()
        for event in events:
            event_id = str(self._source.new_id())
            topic = self._source.topic_prefix + topic_of(event)
            encoded = encode(
                event,
                event_id=event_id,
                source=self._source.source,
                time=self._source.clock.now(),
                key=str(event.case_id),
                subject=str(event.case_id),
                extra_headers=trace,
            )
            records.append(OutgoingRecord.of(topic, encoded))
            ids.append(event_id)
        await add_to_outbox(self._connection, records)
        return ids
