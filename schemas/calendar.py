"""The force's calendar: every deadline is a date in England and Wales, and ends at the end of that
day there — not in UTC, which is an hour behind local time for half of the year.

Intake sets a case's `complete_by` from the local date of the decision, and compliance decides
that a deadline has passed once the local date is after it; both use these two functions, so a
decision at 00:30 on a summer night and a completion at 23:30 are dated as the people involved
would date them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

FORCE_TIME_ZONE = ZoneInfo("Europe/London")


def local_date(moment: datetime) -> date:
    """The date at `moment` in England and Wales."""
    return moment.astimezone(FORCE_TIME_ZONE).date()


def deadline_passed(complete_by: date, now: datetime) -> bool:
    """A deadline is met by anything done on its date, local time, and missed from the next day."""
    return local_date(now) > complete_by
