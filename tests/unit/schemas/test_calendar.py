"""A deadline ends at the end of its day in England and Wales, summer or winter."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pytest import param

from schemas.calendar import deadline_passed, local_date

SUMMER_DEADLINE = date(2026, 7, 20)  # BST: the day ends at 23:00 UTC
WINTER_DEADLINE = date(2026, 12, 14)  # GMT: the day ends at midnight UTC


@pytest.mark.parametrize(
    ("deadline", "now", "passed"),
    [
        param(SUMMER_DEADLINE, "2026-07-20T22:59:59+00:00", False, id="23:59:59 BST on the day: in time"),
        param(SUMMER_DEADLINE, "2026-07-20T23:00:00+00:00", True, id="00:00 BST the next day: passed"),
        param(WINTER_DEADLINE, "2026-12-14T23:59:59+00:00", False, id="23:59:59 GMT on the day: in time"),
        param(WINTER_DEADLINE, "2026-12-15T00:00:00+00:00", True, id="00:00 GMT the next day: passed"),
        param(date(2026, 3, 29), "2026-03-29T22:59:00+00:00", False, id="the day the clocks go forward"),
        param(date(2026, 3, 29), "2026-03-29T23:00:00+00:00", True, id="just after that day ends"),
        param(date(2026, 10, 25), "2026-10-25T23:59:00+00:00", False, id="the day the clocks go back (25 h)"),
        param(date(2026, 10, 25), "2026-10-26T00:00:00+00:00", True, id="just after that long day ends"),
    ],
)
def test_a_deadline_passes_at_the_end_of_its_day_in_england_and_wales(deadline: date, now: str, passed: bool) -> None:
    assert deadline_passed(deadline, datetime.fromisoformat(now)) is passed


def test_a_moment_is_dated_where_the_force_is() -> None:
    assert local_date(datetime.fromisoformat("2026-07-01T00:30:00+01:00")) == date(2026, 7, 1)
    assert local_date(datetime.fromisoformat("2026-06-30T23:30:00+00:00")) == date(2026, 7, 1)
