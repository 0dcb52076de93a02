"""When a case's conditions must be complete: weeks from the decision, set by the disposal's policy.

A Conditional Caution is normally completed within 16 weeks of the caution and exceptionally
within 20, by a recorded decision; a disposal with no extended limit cannot be extended. Weeks are
counted from the date of the decision in England and Wales (a decision at 00:30 on a summer night is
dated that day, not the day before as UTC would have it), and the deadline is met by anything done
by the end of its day there.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from schemas.calendar import local_date
from services.intake.domain.policy import DisposalPolicy


class ExtensionRefused(ValueError):
    """The deadline cannot be extended; the message says why."""


def complete_by(decided_at: datetime, disposal: DisposalPolicy) -> date:
    return local_date(decided_at) + timedelta(weeks=disposal.completion_weeks)


def legal_maximum(decided_at: datetime, disposal: DisposalPolicy) -> date:
    """The latest any deadline of the case may be: the exceptional limit where the disposal has one."""
    return local_date(decided_at) + timedelta(weeks=disposal.maximum_weeks)


def extended_complete_by(decided_at: datetime, disposal: DisposalPolicy, *, current: date) -> date:
    """The exceptional deadline; refused when the disposal has none or the case already has it."""
    if disposal.extended_completion_weeks is None:
        raise ExtensionRefused("this disposal's deadline cannot be extended")
    extended = legal_maximum(decided_at, disposal)
    if current >= extended:
        raise ExtensionRefused("the deadline is already at its exceptional limit")
    return extended
