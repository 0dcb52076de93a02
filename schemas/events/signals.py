"""Signals from police systems about people already diverted, on their force's `diversion.police-signals.{force}.v1`.

They let the platform compute outcome figures such as "named in another investigation within
24 months" without ever receiving the new investigation's details.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from schemas.base import Event
from schemas.fields import ForceId, SubjectRef
from schemas.vocabulary import OffenceCategory


class ReoffendingSignal(Event):
    """A diverted person was named in a new investigation."""

    event_type: ClassVar[str] = "uk.police.diversion.reoffending.signalled.v1"

    force_id: ForceId
    """The force whose person this is: it must be the force whose topic the signal came on."""
    subject_ref: SubjectRef
    named_on: date
    offence_category: OffenceCategory | None = None
    domestic_abuse: bool
