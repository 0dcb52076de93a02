"""A record as a consumer reads it: the event it carries, or why it cannot be read — and, for a dead letter read
again at the operations team's request, who asked.

Reading a record never raises for what the record holds: whatever a hostile record makes a parser raise is that
record's fault, and comes back as a `Rejection` (issue 22: one once raised `RecursionError`, which nothing
caught, and stopped its consumer for good).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from aiokafka.structs import ConsumerRecord
from pydantic import BaseModel, ValidationError

from platform_plumbing.dead_letters import Rejection
from schemas.envelope import CloudEventAttributes, InvalidEnvelope, decode, describe_validation_error


@dataclass(frozen=True)
class Replay:
    """Who asked for a record to be read again, and the request as Kafka delivered it (where its outcome is
    claimed and any failure counted)."""

    operator: str
    requested_at: datetime
    request: ConsumerRecord


@dataclass(frozen=True)
class IncomingEvent:
    attributes: CloudEventAttributes
    payload: BaseModel
    record: ConsumerRecord
    """The record as its sender wrote it (for a replay, rebuilt from its dead letter: its origin topic)."""
    replay: Replay | None = None

    @property
    def event_id(self) -> str:
        """What the inbox claims: CloudEvents ids are unique per source."""
        return f"{self.attributes.source}/{self.attributes.id}"

    @property
    def delivered(self) -> ConsumerRecord:
        """The record as Kafka delivered it to this consumer: the replay request, for a replay."""
        return self.replay.request if self.replay is not None else self.record


def record_bytes(record: ConsumerRecord) -> int:
    """The size of what a record's sender wrote: its value and its headers."""
    return len(record.value or b"") + sum(len(name) + len(value or b"") for name, value in record.headers)


def read_event(
    record: ConsumerRecord, registry: Mapping[str, type[BaseModel]], replay: Replay | None = None
) -> IncomingEvent | Rejection:
    """The record as an event of one of `registry`'s types, or why it cannot be read; the reason never
    repeats the record's content."""
    try:
        attributes, payload = decode(record.headers, record.value, registry)
    except InvalidEnvelope as error:
        return Rejection("InvalidEnvelope", str(error))
    except ValidationError as error:
        return Rejection("ValidationError", describe_validation_error(error))
    except Exception as error:  # noqa: BLE001 - anything a hostile record makes a parser raise
        return Rejection(type(error).__name__, "the record could not be read")
    return IncomingEvent(attributes, payload, record, replay)
