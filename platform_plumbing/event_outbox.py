"""Publishing events from inside a unit of work: encode as CloudEvents and queue in the outbox.

Services say *what* happened (`outbox.publish(CaseOpened(...))`); this decides the topic
(from the catalogue), the key (the case id), the CloudEvents id and time (injected), and queues
the record with the transaction's other appended rows (`pending_writes`), which are written before it
commits. Nothing reaches Kafka unless that transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from platform_plumbing.clock import Clock, IdFactory
from platform_plumbing.outbox import OutgoingRecord, queue_in_outbox
from platform_plumbing.pending_writes import PendingWrites
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
    def __init__(self, writes: PendingWrites, source: EventSource) -> None:
        self._writes = writes
        self._source = source

    def publish(self, *events: Event | Command) -> list[str]:
        """Queue `events` (in order) for publishing on their home topics; return their CloudEvents ids."""
        return self._queue(events, lambda event: topic_carrying(type_of(event)).name)

    def publish_to(self, topic: str, *events: Event) -> list[str]:
        """Queue `events` on `topic` (a catalogue name, e.g. one agency's topic), whatever their home topic."""
        return self._queue(events, lambda event: topic)

    def _queue(self, events: Sequence[Event | Command], topic_of: Callable[[Event | Command], str]) -> list[str]:
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
        queue_in_outbox(self._writes, records)
        return ids
