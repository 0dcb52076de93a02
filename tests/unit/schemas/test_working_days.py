"""Service levels count working days: weekends and England and Wales bank holidays are skipped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytest import param

from schemas.calendar import add_working_days, working_day_due, working_days_after
from services.referral_router.domain.catalogue import load_catalogue

HOLIDAYS = load_catalogue(Path(__file__).resolve().parents[3] / "deploy" / "agencies" / "catalogue.yaml").bank_holidays
LONDON = ZoneInfo("Europe/London")


def at(day: str, time: str = "15:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        param(at("2026-03-09"), 1, at("2026-03-10"), id="Monday + 1 = Tuesday"),
        param(at("2026-03-13"), 1, at("2026-03-16"), id="Friday + 1 = Monday"),
        param(at("2026-03-13"), 5, at("2026-03-20"), id="Friday + 5 = next Friday"),
        param(at("2026-03-14"), 1, at("2026-03-16"), id="Saturday + 1 = Monday"),
        param(at("2026-03-15"), 2, at("2026-03-17"), id="Sunday + 2 = Tuesday"),
        param(at("2026-03-14"), 0, at("2026-03-14"), id="0 days = unchanged, even at a weekend"),
        param(at("2026-04-02"), 1, at("2026-04-07"), id="Easter: Good Friday and Easter Monday skipped"),
        param(at("2025-12-24"), 2, at("2025-12-30"), id="Christmas and Boxing Day skipped"),
        param(at("2026-12-24"), 1, at("2026-12-29"), id="Boxing Day substitute Monday skipped"),
        param(at("2026-05-22"), 1, at("2026-05-26"), id="spring bank holiday skipped"),
        param(at("2026-03-27", "09:30"), 1, at("2026-03-30", "09:30"), id="clocks go forward: same wall time"),
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(start: datetime, days: int, due: datetime) -> None:
    result = add_working_days(start, days, HOLIDAYS)

    assert result == due
    assert (result.tzinfo, result.time()) == (start.tzinfo, start.time())


def test_without_holidays_only_weekends_are_skipped() -> None:
    assert add_working_days(at("2026-12-24"), 1, frozenset()) == at("2026-12-25")


def test_utc_in_utc_out() -> None:
    start = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)

    assert add_working_days(start, 1, HOLIDAYS) == datetime(2026, 3, 16, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "days", "problem"),
    [
        param(datetime(2026, 3, 9, 15, 0), 1, "timezone-aware", id="naive datetime"),
        param(at("2026-03-09"), -1, "must not be negative", id="negative days"),
    ],
)
def test_refuses_what_it_cannot_count(start: datetime, days: int, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        add_working_days(start, days, HOLIDAYS)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        param("2026-04-01", "2026-04-01", 0, id="the same day"),
        param("2026-04-01", "2026-04-02", 1, id="Wednesday to Thursday"),
        param("2026-04-02", "2026-04-07", 1, id="Thursday to the Tuesday after Good Friday and Easter Monday"),
        param("2026-04-03", "2026-04-05", 0, id="Good Friday to Easter Sunday: no working day passed"),
        param("2026-12-24", "2026-12-29", 1, id="Christmas Eve to the 29th: Christmas and Boxing Day substitute"),
    ],
)
def test_working_days_after_counts_the_working_days_between_local_dates(start: str, end: str, days: int):
    assert working_days_after(at(start), at(end, "09:00"), HOLIDAYS) == days


def test_a_step_is_dated_by_its_local_day_not_utc():
    """00:30 on a summer Saturday in London is 23:30 on the Friday in UTC: still the Saturday."""
    friday = datetime(2026, 7, 3, 9, 0, tzinfo=UTC)
    saturday_early = datetime(2026, 7, 3, 23, 30, tzinfo=UTC)

    assert working_days_after(friday, saturday_early, HOLIDAYS) == 0
    assert working_day_due(friday, 2, HOLIDAYS).isoformat() == "2026-07-07"
