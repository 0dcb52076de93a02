"""Untrusted JSON is measured before any parser reads it: too large or too deep is refused with a reason that
never repeats the content; what passes parses as JSON does."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas import bounded_json
from schemas.bounded_json import JsonTooLarge, check, loads, nesting_depth


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'"[[[[[[["', 0),  # brackets in a string do not nest
        (b'["a\\"[[[[", "]]"]', 1),  # nor after an escaped quote
        (b'["\\\\", ["\\\\"]]', 2),  # an escaped backslash ends its escape
        (b"3", 0),
    ],
)
def test_depth_counts_arrays_and_objects_outside_strings(body, depth):
    assert nesting_depth(body) == depth


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=30,
    )
)
def test_depth_is_what_the_document_nests(document):
    def depth(value) -> int:
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        return 0 if children is None else 1 + max((depth(child) for child in children), default=0)

    body = json.dumps(document).encode()
    assert nesting_depth(body, stop_above=10_000) == depth(document)
    if depth(document) <= bounded_json.MAX_DEPTH:
        assert loads(body) == document


def test_fifty_thousand_brackets_are_refused_without_a_recursion_error():
    with pytest.raises(JsonTooLarge, match="nested deeper than the 32 levels accepted"):
        loads(b"[" * 50_000 + b"]" * 50_000)


def test_a_scan_stops_at_the_first_level_too_many():
    assert nesting_depth(b"[" * 100_000, stop_above=5) == 6


def test_too_many_bytes_are_refused_before_they_are_scanned():
    with pytest.raises(JsonTooLarge, match="larger than the 10 accepted") as refused:
        check(b'["secret name"]', max_bytes=10)
    assert "secret" not in str(refused.value)


def test_what_is_not_json_is_a_value_error():
    with pytest.raises(ValueError):
        loads(b'{"a": ')
    with pytest.raises(ValueError):
        loads(b"\xff\xfe")
