"""A police signal that a diverted person was named again is believed only if it could be right (issue 23): never
dated after today, never on or before the person's own diversion; a signal about someone not yet read is kept."""

from __future__ import annotations

from datetime import date

import pytest

from services.compliance.domain.agency_reports import ImplausibleTime
from services.compliance.domain.signals import check_signal

TODAY = date(2026, 12, 7)
DIVERTED = date(2025, 3, 2)


@pytest.mark.parametrize("named_on", [date(2026, 12, 8), date(2031, 1, 1)], ids=["tomorrow", "2031"])
def test_a_signal_dated_after_today_is_refused(named_on):
    with pytest.raises(ImplausibleTime, match="after today"):
        check_signal(named_on, today=TODAY, first_diverted_on=DIVERTED)


@pytest.mark.parametrize("named_on", [DIVERTED, date(2024, 1, 1)], ids=["the same day", "before"])
def test_a_signal_not_after_the_diversion_is_refused(named_on):
    with pytest.raises(ImplausibleTime, match="not after the person's diversion"):
        check_signal(named_on, today=TODAY, first_diverted_on=DIVERTED)


@pytest.mark.parametrize("first_diverted_on", [DIVERTED, None], ids=["known", "not read yet"])
def test_a_signal_after_the_diversion_and_up_to_today_is_kept(first_diverted_on):
    assert check_signal(TODAY, today=TODAY, first_diverted_on=first_diverted_on) is None
    assert check_signal(date(2025, 3, 3), today=TODAY, first_diverted_on=first_diverted_on) is None
