"""Base classes for the sub-objects inside messages, and the one sub-object both sides share.

A top-level `Command` rejects unknown fields and an `Event` ignores them, but pydantic applies
that setting per model, not to nested objects. Nested parts therefore pick the same policy as
the message that carries them: `InboundPart` inside commands, `EventPart` inside events. A
strict subclass of an event part, passed to an event, is converted to the event part itself.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.fields import OfficerId
from schemas.personal import Email, Phone
from schemas.vocabulary import DeliveryMode, NeedCategory, Severity


class InboundPart(BaseModel):
    """A sub-object of a command: strict, like the command itself."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EventPart(BaseModel):
    """A sub-object of an event: tolerant of fields added by a newer producer."""

    model_config = ConfigDict(extra="ignore", frozen=True, revalidate_instances="subclass-instances")


class AssessedNeed(EventPart):
    """One need found by a needs assessment, with how urgent it is and how the person prefers help."""

    category: NeedCategory
    severity: Severity
    preferred_mode: DeliveryMode | None = None


class OfficerContact(EventPart):
    """The officer in the case, for an agency to reach about the person: their force identifier and work contact
    details (a police station's or team's number will do), never a home address."""

    officer: OfficerId
    phone: Phone | None = Field(default=None, description="A work number.")
    email: Email | None = Field(default=None, description="A work address.")
