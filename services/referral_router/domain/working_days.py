"""Service levels counted in working days, as partner agencies and the probation service count them.

An agency asked on a Friday afternoon to answer "within 2 working days" has until Tuesday
afternoon, and a bank holiday in between gives it one more day. The clock keeps the time of
day, so a referral issued at 15:00 is due at 15:00, in the timezone it was issued in (the
force's local time: pass `Europe/London` datetimes, not UTC, or a referral issued after
midnight UTC in summer falls on the wrong day).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

_SATURDAY = 5


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < _SATURDAY and day not in holidays


def add_working_days(start: datetime, days: int, holidays: frozenset[date]) -> datetime:
    """`start` moved forward by `days` working days, at the same wall-clock time and in the same timezone."""
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
