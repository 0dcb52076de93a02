"""The force's calendar: every deadline is a date in England and Wales, and ends at the end of that
day there — not in UTC, which is an hour behind local time for half of the year.

Intake sets a case's `complete_by` from the local date of the decision, and compliance decides
that a deadline has passed once the local date is after it; both use these functions, so a
decision at 00:30 on a summer night and a completion at 23:30 are dated as the people involved
would date them.

Service levels are counted in working days, as partner agencies and the probation service count them: an
agency asked on a Friday afternoon to answer "within 2 working days" has until Tuesday afternoon, and a bank
holiday (the catalogue lists England and Wales's) gives it one more day. The router times an agency's answer from
the moment of issue; compliance measures first contact and the other steps in whole working days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

FORCE_TIME_ZONE = ZoneInfo("Europe/London")


def local_date(moment: datetime) -> date:
    """The date at `moment` in England and Wales."""
    return moment.astimezone(FORCE_TIME_ZONE).date()


def deadline_passed(complete_by: date, now: datetime) -> bool:
    """A deadline is met by anything done on its date, local time, and missed from the next day."""
    return local_date(now) > complete_by


_SATURDAY = 5


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < _SATURDAY and day not in holidays


def add_working_days(start: datetime, days: int, holidays: frozenset[date]) -> datetime:
    """`start` moved forward by `days` working days, at the same wall-clock time and in the same timezone (pass
    the force's local time, `Europe/London`, not UTC, or a moment after midnight UTC in summer falls on the wrong
    day)."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    if days < 0:
        raise ValueError("days must not be negative")
    moment = start
    remaining = days
    while remaining:
        moment += timedelta(days=1)
        if is_working_day(moment.date(), holidays):
            remaining -= 1
    return moment


def working_days_after(start: datetime, end: datetime, holidays: frozenset[date]) -> int:
    """How many working days after `start`'s local date `end`'s is: 0 on the same day, or on a weekend or bank
    holiday straight after it; what a service level of N working days allows is a result of N or less."""
    first, last = local_date(start), local_date(end)
    days, day = 0, first
    while day < last:
        day += timedelta(days=1)
        days += is_working_day(day, holidays)
    return days


def working_day_due(start: datetime, days: int, holidays: frozenset[date]) -> date:
    """The local date by which something is due `days` working days after `start`."""
    return add_working_days(start.astimezone(FORCE_TIME_ZONE), days, holidays).date()
