"""Rows queued for one flush per table: what an undone part of a transaction queued is forgotten, nothing else."""

from __future__ import annotations

import pytest

from platform_plumbing.pending_writes import PendingWrites

HISTORY = ("case_id", "what")


def test_undoing_to_a_mark_forgets_only_what_was_queued_after_it():
    writes = PendingWrites()
    writes.add("history", HISTORY, [(1, "opened")])
    mark = writes.mark()
    writes.add("history", HISTORY, [(2, "opened")])
    writes.add("audit_log", ("actor",), [("x",)])

    writes.undo_to(mark)

    assert len(writes) == 1
    assert writes.pending("history")
    assert not writes.pending("audit_log")


def test_a_table_queued_with_other_columns_is_a_programming_error():
    writes = PendingWrites()
    writes.add("history", HISTORY, [(1, "opened")])
    with pytest.raises(ValueError, match="history"):
        writes.add("history", ("what",), [("opened",)])


def test_nothing_queued_is_nothing_pending():
    writes = PendingWrites()
    writes.add("history", HISTORY, [])
    assert len(writes) == 0
    assert not writes.pending("history")
