"""The chaos verdict fails on every kind of loss, duplicate, stray dead letter and stall."""

from __future__ import annotations

import pytest

from chaos.verdict import FaultReport, Published, judge
from services.operations.books import Books

POISON = ("p.decisions", 0, 7)


def healthy() -> Published:
    return Published(
        cases={"REF1": {"case-1"}, "REF2": {"case-2"}},
        referrals={"case-1": {"r-1"}, "case-2": {"r-2"}},
        outcomes={"case-1": {"o-1"}, "case-2": {"o-2"}},
        dead_letters={POISON: ("ValidationError", "body: invalid JSON")},
        redeliveries=3,
    )


def verdict(published: Published, faults=(FaultReport("broker 1", 4.2),), lagging=(), books: Books | None = None):
    return judge(
        references={"REF1", "REF2"},
        published=published,
        poisons={POISON: "invalid_json"},
        faults=list(faults),
        lagging_partitions=list(lagging),
        books=books or Books(),
    )


def test_a_clean_run_passes_and_counts_what_it_saw():
    result = verdict(healthy())
    assert result.passed, result.failures
    assert result.figures["cases_in"] == 2 and result.figures["outcomes_out"] == 2
    assert result.figures["lost"] == 0 and result.figures["duplicated"] == 0
    assert result.figures["redeliveries_seen"] == 3
    assert result.figures["recovery_s"] == {"broker 1": 4.2}


@pytest.mark.parametrize(
    ("spoil", "complaint"),
    [
        (lambda p: p.cases.pop("REF2"), "never opened a case"),
        (lambda p: p.cases["REF1"].add("case-9"), "more than one case"),
        (lambda p: p.referrals.pop("case-1"), "without a referral"),
        (lambda p: p.referrals["case-1"].add("r-9"), "more than one referral"),
        (lambda p: p.outcomes.pop("case-2"), "without an outcome"),
        (lambda p: p.outcomes["case-2"].add("o-9"), "more than one outcome"),
        (lambda p: p.dead_letters.clear(), "not dead-lettered"),
        (lambda p: p.dead_letters.update({POISON: ("ValidationError", "")}), "without a reason"),
        (lambda p: p.dead_letters.update({("p.decisions", 1, 0): ("PoisonMessage", "x")}), "were not poison"),
    ],
)
def test_each_loss_or_duplicate_fails_the_run(spoil, complaint):
    published = healthy()
    spoil(published)
    result = verdict(published)
    assert not result.passed
    assert any(complaint in failure for failure in result.failures), result.failures


def test_a_stall_after_a_fault_or_lag_at_the_end_fails_the_run():
    assert not verdict(healthy(), faults=[FaultReport("postgres restart", None)]).passed
    assert not verdict(healthy(), lagging=["intake decisions[3]"]).passed


def test_books_that_do_not_balance_fail_the_run():
    books = Books()
    books.add("referrals whose status router holds differently", "r-1: compliance completed, router cancelled")

    result = verdict(healthy(), books=books)

    assert not result.passed
    assert result.failures == [
        "1 referrals whose status router holds differently, e.g. ['r-1: compliance completed, router cancelled']"
    ]
    assert result.figures["books_disagreements"] == 1
