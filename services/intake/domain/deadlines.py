"""When a case's conditions must be complete: weeks from the decision, set by the disposal's policy.

A Conditional Caution is normally completed within 16 weeks of the caution and exceptionally
within 20, by a recorded decision; a disposal with no extended limit cannot be extended.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.intake.domain.policy import DisposalPolicy


class ExtensionRefused(ValueError):
    """The deadline cannot be extended; the message says why."""


def complete_by(decided_at: datetime, disposal: DisposalPolicy) -> date:
    return decided_at.date() + timedelta(weeks=disposal.completion_weeks)


def extended_complete_by(decided_at: datetime, disposal: DisposalPolicy, *, current: date) -> date:
    """The exceptional deadline; refused when the disposal has none or the case already has it."""
    if disposal.extended_completion_weeks is None:
        raise ExtensionRefused("this disposal's deadline cannot be extended")
    extended = decided_at.date() + timedelta(weeks=disposal.extended_completion_weeks)
    if current >= extended:
        raise ExtensionRefused("the deadline is already at its exceptional limit")
    return extended
