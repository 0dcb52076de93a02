"""Deadlines come from the disposal's policy: 16 weeks for a Conditional Caution, exceptionally 20."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from pytest import param

from schemas.vocabulary import DisposalType
from services.intake.domain.deadlines import ExtensionRefused, complete_by, extended_complete_by
from services.intake.domain.policy import load_policy
from tests.factories import DECIDED_AT

POLICY = load_policy(Path(__file__).resolve().parents[3] / "deploy" / "policy" / "force-policy.yaml")
DECIDED = datetime.fromisoformat(DECIDED_AT)  # Monday 3 March 2025
SIXTEEN_WEEKS_ON = date(2025, 6, 23)
TWENTY_WEEKS_ON = date(2025, 7, 21)


@pytest.mark.parametrize(
    ("disposal", "deadline"),
    [
        param(DisposalType.ADULT_CONDITIONAL_CAUTION, SIXTEEN_WEEKS_ON, id="adult CC 16 weeks"),
        param(DisposalType.YOUTH_CONDITIONAL_CAUTION, SIXTEEN_WEEKS_ON, id="youth CC 16 weeks"),
        param(DisposalType.COMMUNITY_RESOLUTION, date(2025, 5, 26), id="CR 12 weeks"),
    ],
)
def test_complete_by(disposal: DisposalType, deadline: date) -> None:
    assert complete_by(DECIDED, POLICY.disposals[disposal]) == deadline


def test_a_conditional_caution_can_be_extended_to_20_weeks() -> None:
    disposal = POLICY.disposals[DisposalType.ADULT_CONDITIONAL_CAUTION]

    assert extended_complete_by(DECIDED, disposal, current=SIXTEEN_WEEKS_ON) == TWENTY_WEEKS_ON


@pytest.mark.parametrize(
    ("disposal", "current", "why"),
    [
        param(
            DisposalType.COMMUNITY_RESOLUTION, date(2025, 5, 26), "cannot be extended", id="CR has no extended limit"
        ),
        param(
            DisposalType.COMMUNITY_CAUTION,
            SIXTEEN_WEEKS_ON,
            "cannot be extended",
            id="community caution has no extended limit",
        ),
        param(
            DisposalType.ADULT_CONDITIONAL_CAUTION,
            TWENTY_WEEKS_ON,
            "already at its exceptional limit",
            id="CC already extended",
        ),
    ],
)
def test_an_extension_is_refused(disposal: DisposalType, current: date, why: str) -> None:
    with pytest.raises(ExtensionRefused, match=why):
        extended_complete_by(DECIDED, POLICY.disposals[disposal], current=current)


# --- in England and Wales, across the clock changes --------------------------------------------------------
# British Summer Time in 2026 runs from 01:00 UTC on 29 March to 01:00 UTC on 25 October.

CC = POLICY.disposals[DisposalType.ADULT_CONDITIONAL_CAUTION]


@pytest.mark.parametrize(
    ("decided_at", "deadline"),
    [
        param("2026-06-30T23:30:00+00:00", date(2026, 10, 21), id="00:30 BST on 1 July is 1 July"),
        param("2026-06-30T22:30:00+00:00", date(2026, 10, 20), id="23:30 BST on 30 June is 30 June"),
        param("2026-12-01T23:30:00+00:00", date(2027, 3, 23), id="23:30 GMT is the same day in winter"),
        param("2026-03-28T23:30:00+00:00", date(2026, 7, 18), id="the night the clocks go forward (GMT still)"),
        param("2026-03-29T23:30:00+00:00", date(2026, 7, 20), id="the first night of summer time"),
        param("2026-10-24T23:30:00+00:00", date(2027, 2, 14), id="the night the clocks go back (00:30 BST)"),
        param("2026-10-25T23:30:00+00:00", date(2027, 2, 14), id="the first night of winter time"),
    ],
)
def test_weeks_count_from_the_decisions_date_in_england_and_wales(decided_at: str, deadline: date) -> None:
    assert complete_by(datetime.fromisoformat(decided_at), CC) == deadline
