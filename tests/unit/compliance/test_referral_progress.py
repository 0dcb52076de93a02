"""One referral's state machine: every (status, update) cell, absences, disengagement, breach, reordering.

The whole Status × Update matrix is written out below as a table and every cell is checked, so a
new status or update that nobody has decided about fails here rather than in production.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest import param

from schemas.vocabulary import NonComplianceReason
from services.compliance.domain.referral_progress import (
    OPEN,
    IllegalTransition,
    Progress,
    Status,
    Step,
    Update,
    apply,
)
from services.compliance.domain.rules import ComplianceRules, load_rules

RULES = load_rules(Path(__file__).resolve().parents[3] / "deploy" / "policy" / "compliance-rules.yaml")
PROPERTY = settings(max_examples=200, deadline=None)


def rules_with(**changes: Any) -> ComplianceRules:
    """The committed rules with some fields changed, validated like a file would be."""
    return ComplianceRules.model_validate(RULES.model_dump() | changes)


DISENGAGEMENT_ENDS = rules_with(disengagement_is_breach=False)


# --- the whole matrix ------------------------------------------------------------------------------
# Cells: a status = the update is applied and the referral moves there; "." = recorded only (late,
# duplicate or after a breach: nothing changes); ILLEGAL = refused with IllegalTransition.
# Committed rules (disengagement is a breach), no earlier absence, every absence acceptable.
MATRIX = """
                 accept    decline   schedule     attend       miss         complete   disengage  withdraw
issued           accepted  declined  in_progress  in_progress  in_progress  completed  breached   agency_withdrew
accepted         .         declined  in_progress  in_progress  in_progress  completed  breached   agency_withdrew
in_progress      .         ILLEGAL   in_progress  in_progress  in_progress  completed  breached   agency_withdrew
completed        .         ILLEGAL   .            .            .            .          ILLEGAL    ILLEGAL
breached         .         .         .            .            .            .          .          .
declined         ILLEGAL   .         ILLEGAL      ILLEGAL      ILLEGAL      ILLEGAL    ILLEGAL    ILLEGAL
agency_withdrew  ILLEGAL   ILLEGAL   ILLEGAL      ILLEGAL      ILLEGAL      ILLEGAL    ILLEGAL    .
disengaged       ILLEGAL   ILLEGAL   ILLEGAL      ILLEGAL      ILLEGAL      ILLEGAL    .          ILLEGAL
timed_out        ILLEGAL   ILLEGAL   ILLEGAL      ILLEGAL      ILLEGAL      ILLEGAL    ILLEGAL    ILLEGAL
cancelled        ILLEGAL   ILLEGAL   ILLEGAL      ILLEGAL      ILLEGAL      ILLEGAL    ILLEGAL    ILLEGAL
queued           ILLEGAL   ILLEGAL   ILLEGAL      ILLEGAL      ILLEGAL      ILLEGAL    ILLEGAL    ILLEGAL
unmatched        ILLEGAL   ILLEGAL   ILLEGAL      ILLEGAL      ILLEGAL      ILLEGAL    ILLEGAL    ILLEGAL
"""

# The two updates whose effect depends on something other than the status: an absence without an
# acceptable reason (the first of the two allowed), and disengagement where the rules say it is not a breach.
VARIANTS = """
                 unacceptable_miss  disengage_not_a_breach
issued           in_progress        disengaged
accepted         in_progress        disengaged
in_progress      in_progress        disengaged
completed        .                  ILLEGAL
breached         .                  .
declined         ILLEGAL            ILLEGAL
agency_withdrew  ILLEGAL            ILLEGAL
disengaged       ILLEGAL            .
timed_out        ILLEGAL            ILLEGAL
cancelled        ILLEGAL            ILLEGAL
queued           ILLEGAL            ILLEGAL
unmatched        ILLEGAL            ILLEGAL
"""
VARIANT_CALLS = {
    "unacceptable_miss": (Update.MISS, RULES, False),
    "disengage_not_a_breach": (Update.DISENGAGE, DISENGAGEMENT_ENDS, True),
}

RECORDED = "recorded only"
ILLEGAL = "illegal"
Expected = Status | str


def parse(grid: str) -> dict[tuple[Status, str], Expected]:
    header, *rows = grid.strip().splitlines()
    columns = header.split()
    table: dict[tuple[Status, str], Expected] = {}
    for row in rows:
        status, *cells = row.split()
        assert len(cells) == len(columns), f"row {status!r} has {len(cells)} cells for {len(columns)} columns"
        for column, cell in zip(columns, cells, strict=True):
            table[Status(status), column] = {".": RECORDED, "ILLEGAL": ILLEGAL}.get(cell) or Status(cell)
    return table


EXPECTED = parse(MATRIX)
EXPECTED_VARIANTS = parse(VARIANTS)


def check(progress: Progress, update: Update, rules: ComplianceRules, acceptable: bool, expected: Expected) -> None:
    if expected == ILLEGAL:
        with pytest.raises(IllegalTransition) as refused:
            apply(progress, update, rules, absence_acceptable=acceptable)
        assert str(refused.value), "the agency must be told why"
        return
    step = apply(progress, update, rules, absence_acceptable=acceptable)
    if expected == RECORDED:
        assert step == Step(progress, applied=False)
    else:
        assert step.applied
        assert step.progress.status == expected
        assert (step.breach is not None) == (expected == Status.BREACHED)


def test_the_matrix_tables_cover_every_status_and_update() -> None:
    assert set(EXPECTED) == {(status, update.value) for status in Status for update in Update}
    assert set(EXPECTED_VARIANTS) == {(status, column) for status in Status for column in VARIANT_CALLS}


@pytest.mark.parametrize(
    ("status", "update"),
    [param(status, update, id=f"{status}+{update}") for status, update in itertools.product(Status, Update)],
)
def test_every_cell_of_the_matrix(status: Status, update: Update) -> None:
    check(Progress(status), update, RULES, True, EXPECTED[status, update.value])


@pytest.mark.parametrize(
    ("status", "column"),
    [param(status, column, id=f"{status}+{column}") for status, column in itertools.product(Status, VARIANT_CALLS)],
)
def test_every_cell_of_the_variants(status: Status, column: str) -> None:
    update, rules, acceptable = VARIANT_CALLS[column]
    check(Progress(status), update, rules, acceptable, EXPECTED_VARIANTS[status, column])


@pytest.mark.parametrize(
    ("status", "update", "says"),
    [
        param(Status.IN_PROGRESS, Update.DECLINE, "report a withdrawal or disengagement", id="decline once started"),
        param(Status.COMPLETED, Update.WITHDRAW, "already completed; 'withdraw'", id="withdraw after completion"),
        param(Status.DECLINED, Update.ACCEPT, "ended (declined)", id="accept after decline"),
        param(Status.TIMED_OUT, Update.ACCEPT, "was timed out", id="acceptance after the answer was due"),
        param(Status.CANCELLED, Update.COMPLETE, "was cancelled", id="completion on a cancelled referral"),
        param(Status.QUEUED, Update.ACCEPT, "not been issued to your agency", id="acceptance of a queued referral"),
    ],
)
def test_a_refusal_tells_the_agency_why(status: Status, update: Update, says: str) -> None:
    with pytest.raises(IllegalTransition, match=re.escape(says)):
        apply(Progress(status), update, RULES)


# --- absences ------------------------------------------------------------------------------------------


def run(
    updates: Iterable[Update | tuple[Update, bool]], rules: ComplianceRules = RULES, start: Progress | None = None
) -> tuple[Progress, list[Step]]:
    """Apply updates in order; a bare MISS is unacceptable, (update, acceptable) says so explicitly."""
    progress, steps = start or Progress(), []
    for item in updates:
        update, acceptable = item if isinstance(item, tuple) else (item, item != Update.MISS)
        step = apply(progress, update, rules, absence_acceptable=acceptable)
        steps.append(step)
        progress = step.progress
    return progress, steps


@pytest.mark.parametrize("maximum", [param(n, id=f"max {n}") for n in (1, 2, 3, 5)])
def test_unacceptable_absences_breach_exactly_at_the_maximum(maximum: int) -> None:
    rules = rules_with(max_unacceptable_absences=maximum)

    before, steps = run([Update.ACCEPT] + [Update.MISS] * (maximum - 1), rules)
    assert all(step.breach is None for step in steps)
    assert before == Progress(Status.IN_PROGRESS if maximum > 1 else Status.ACCEPTED, maximum - 1)

    last = apply(before, Update.MISS, rules, absence_acceptable=False)
    assert last == Step(Progress(Status.BREACHED, maximum), applied=True, breach=NonComplianceReason.MISSED_APPOINTMENT)


def test_the_committed_rules_breach_on_the_second_unacceptable_absence() -> None:
    first, _ = run([Update.MISS])
    assert first == Progress(Status.IN_PROGRESS, 1)
    assert apply(first, Update.MISS, RULES, absence_acceptable=False).progress.status == Status.BREACHED


def test_an_acceptable_absence_never_counts() -> None:
    rules = rules_with(max_unacceptable_absences=1)

    progress, steps = run([(Update.MISS, True)] * 10, rules)

    assert progress == Progress(Status.IN_PROGRESS, 0)
    assert all(step.applied and step.breach is None for step in steps)


def test_acceptable_absences_between_unacceptable_ones_add_nothing() -> None:
    progress, _ = run([Update.MISS, (Update.MISS, True), (Update.MISS, True)])
    assert progress == Progress(Status.IN_PROGRESS, 1)


def test_attending_does_not_reset_the_count_of_unacceptable_absences() -> None:
    progress, steps = run([Update.ACCEPT, Update.MISS, Update.ATTEND, Update.ATTEND, Update.MISS])

    assert progress == Progress(Status.BREACHED, 2)
    assert steps[-1].breach == NonComplianceReason.MISSED_APPOINTMENT


def test_an_absence_reported_after_completion_is_only_recorded() -> None:
    """A late miss does not breach an intervention already completed: the order the agency reports in matters."""
    progress, steps = run([Update.MISS, Update.COMPLETE, Update.MISS])

    assert progress == Progress(Status.COMPLETED, 1)
    assert steps[-1] == Step(progress, applied=False)


def test_every_miss_it_is_given_counts_so_a_redelivered_update_must_be_deduplicated_upstream() -> None:
    """The machine cannot tell a redelivered miss from a second missed appointment; the inbox must."""
    progress, _ = run([Update.MISS, Update.MISS])
    assert progress.status == Status.BREACHED


# --- disengagement ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [param(status, id=str(status)) for status in sorted(OPEN)])
def test_disengagement_is_a_breach_when_the_rules_say_so(status: Status) -> None:
    step = apply(Progress(status, 1), Update.DISENGAGE, rules_with(disengagement_is_breach=True))

    assert step == Step(Progress(Status.BREACHED, 1), applied=True, breach=NonComplianceReason.DISENGAGED)


@pytest.mark.parametrize("status", [param(status, id=str(status)) for status in sorted(OPEN)])
def test_disengagement_ends_the_referral_without_breach_when_the_rules_say_it_is_not_one(status: Status) -> None:
    step = apply(Progress(status, 1), Update.DISENGAGE, DISENGAGEMENT_ENDS)

    assert step == Step(Progress(Status.DISENGAGED, 1), applied=True, breach=None)
    assert apply(step.progress, Update.DISENGAGE, DISENGAGEMENT_ENDS) == Step(step.progress, applied=False)


# --- nothing undoes a breach ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("update", "acceptable"),
    [
        param(update, acceptable, id=f"{update} ({'acceptable' if acceptable else 'unacceptable'})")
        for update, acceptable in itertools.product(Update, (True, False))
    ],
)
@pytest.mark.parametrize("rules", [param(RULES, id="committed rules"), param(DISENGAGEMENT_ENDS, id="disengage ends")])
def test_nothing_undoes_a_breach(update: Update, acceptable: bool, rules: ComplianceRules) -> None:
    breached = Progress(Status.BREACHED, 2)

    assert apply(breached, update, rules, absence_acceptable=acceptable) == Step(breached, applied=False)


ANY_UPDATE = st.tuples(st.sampled_from(Update), st.booleans())


@PROPERTY
@given(
    breach=st.sampled_from([[Update.MISS, Update.MISS], [Update.ATTEND, Update.DISENGAGE]]),
    later=st.lists(ANY_UPDATE, max_size=20),
)
def test_after_a_breach_every_later_update_is_recorded_and_changes_nothing(
    breach: list[Update], later: list[tuple[Update, bool]]
) -> None:
    breached, _ = run(breach)
    assert breached.status == Status.BREACHED

    final, steps = run(later, start=breached)

    assert final == breached
    assert not any(step.applied or step.breach for step in steps)


# --- out of order, duplicated: the same end as the clean run --------------------------------------------

CLEAN = [Update.ACCEPT, Update.SCHEDULE, Update.ATTEND, Update.COMPLETE]


@st.composite
def reordered_with_duplicates(draw: st.DrawFn, clean: list[Any], duplicable: list[Any]) -> list[Any]:
    """Every update of `clean` at least once, plus any number of repeats of `duplicable`, in any order."""
    extra = draw(st.lists(st.sampled_from(duplicable), max_size=12))
    return draw(st.permutations(clean + extra))


@PROPERTY
@given(reordered_with_duplicates(CLEAN, CLEAN))
def test_any_order_and_duplication_of_a_clean_run_ends_completed(updates: list[Update]) -> None:
    clean, _ = run(CLEAN)
    final, steps = run(updates)

    assert final == clean == Progress(Status.COMPLETED, 0)
    completed_at = next(i for i, step in enumerate(steps) if step.progress.status == Status.COMPLETED)
    assert updates[completed_at] == Update.COMPLETE
    assert not any(step.applied for step in steps[completed_at + 1 :]), "after completion, everything is recorded only"
    assert not any(step.breach for step in steps)


@PROPERTY
@given(reordered_with_duplicates(CLEAN, [*CLEAN, (Update.MISS, True)]))
def test_acceptable_absences_anywhere_in_a_clean_run_change_nothing(updates: list[Any]) -> None:
    final, _ = run(updates)
    assert final == Progress(Status.COMPLETED, 0)


MOVING_ON = [Update.ACCEPT, Update.SCHEDULE, Update.ATTEND, (Update.MISS, True)]


@PROPERTY
@given(data=st.data(), maximum=st.integers(min_value=1, max_value=5))
def test_the_maximum_of_unacceptable_absences_breaches_in_any_order_among_other_progress(
    data: st.DataObject, maximum: int
) -> None:
    """Holds while nothing ends the referral (completion, decline, withdrawal, disengagement) before the last miss."""
    rules = rules_with(max_unacceptable_absences=maximum)
    updates = data.draw(reordered_with_duplicates([Update.MISS] * maximum, MOVING_ON))

    final, steps = run(updates, rules)

    assert final == Progress(Status.BREACHED, maximum)
    assert [step.breach for step in steps if step.breach] == [NonComplianceReason.MISSED_APPOINTMENT]


@PROPERTY
@given(data=st.data(), maximum=st.integers(min_value=2, max_value=5))
def test_fewer_unacceptable_absences_than_the_maximum_never_breach(data: st.DataObject, maximum: int) -> None:
    rules = rules_with(max_unacceptable_absences=maximum)
    misses = data.draw(st.integers(min_value=1, max_value=maximum - 1))
    updates = data.draw(reordered_with_duplicates([Update.MISS] * misses, MOVING_ON))

    final, steps = run(updates, rules)

    assert final == Progress(Status.IN_PROGRESS, misses)
    assert not any(step.breach for step in steps)


RANK = {Status.ISSUED: 0, Status.ACCEPTED: 1, Status.IN_PROGRESS: 2}
ENDED = frozenset(Status) - OPEN


@PROPERTY
@given(
    start=st.sampled_from(Status),
    updates=st.lists(ANY_UPDATE, max_size=25),
    rules=st.sampled_from([RULES, DISENGAGEMENT_ENDS, rules_with(max_unacceptable_absences=1)]),
)
def test_whatever_arrives_the_machine_only_moves_forward(
    start: Status, updates: list[tuple[Update, bool]], rules: ComplianceRules
) -> None:
    """With refused updates dropped (as the service dead-letters them): an ended referral never changes,
    an open one never moves back, absences never decrease, and a breach is reported once, on entering it."""
    progress = Progress(start)
    for update, acceptable in updates:
        try:
            step = apply(progress, update, rules, absence_acceptable=acceptable)
        except IllegalTransition:
            assert progress.status in ENDED or (progress.status, update) == (Status.IN_PROGRESS, Update.DECLINE)
            continue
        after = step.progress
        if progress.status in ENDED:
            assert step == Step(progress, applied=False)
        elif after.status in OPEN:
            assert RANK[after.status] >= RANK[progress.status]
        assert after.unacceptable_absences >= progress.unacceptable_absences
        assert (step.breach is not None) == (progress.status != Status.BREACHED == after.status)
        assert step.applied or step.progress == progress
        progress = after
