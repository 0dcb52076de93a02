"""Notes between an agency and the diversion team about one referral: a thread both read, kept sealed like
personal data, each read audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schemas.vocabulary import NoteAuthor


@dataclass(frozen=True)
class CaseNote:
    note_id: UUID
    case_id: UUID
    referral_id: UUID
    author: NoteAuthor
    written_by: str
    """The gateway client or Kafka principal that wrote it."""
    text: str
    """Sealed."""
    written_at: datetime
