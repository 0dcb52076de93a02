"""Base classes for commands (sent to a service) and events (facts a service publishes).

Commands come from outside (police systems, partner agencies), so they are strict: unknown
fields are rejected and every string is bounded. Events are read by consumers that may be one
version behind their producer, so they ignore fields they do not know; that is what lets a
producer add an optional field without breaking a `.v1` consumer.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Command(BaseModel):
    """An instruction from outside the platform; validated strictly at the door."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    command_type: ClassVar[str]
    """CloudEvents `type` of the command when it arrives over Kafka."""


class Event(BaseModel):
    """A past-tense fact published by one service; keyed by `case_id` on its topic."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    """CloudEvents `type`, e.g. `uk.police.diversion.case.opened.v1`."""

    case_id: UUID
