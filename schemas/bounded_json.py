"""JSON from outside, measured before any parser reads it.

A record or a request body is untrusted bytes. Python's `json` module recurses once per level of nesting,
so 50,000 opening brackets raise `RecursionError` — which is not a `ValueError`, and once stopped a
consumer for good (issue 22). Every parse of untrusted JSON therefore goes through `check` first: too many
bytes or too deep a nesting is refused with `JsonTooLarge` (a `ValueError`, so callers that refuse invalid
JSON refuse it too) before a parser sees a byte, and `loads` parses only what passed.

The depth is measured without parsing: only the bytes that can change it (brackets, quotes, backslashes) are
visited, with C's speed finding them, and the scan stops at the first level too many. No message of the
platform nests deeper than a handful of levels; `MAX_DEPTH` leaves room for any future one.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import from_json

MAX_DEPTH = 32
"""Deepest nesting of arrays and objects accepted: ours stay under 8."""
MAX_BYTES = 1024 * 1024
"""Largest JSON document parsed at all (the services' own limits on records and bodies are smaller)."""

_STRUCTURAL = re.compile(rb'[\[\]{}"\\]')
_OPENING = frozenset(b"[{")
_CLOSING = frozenset(b"]}")
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


class JsonTooLarge(ValueError):
    """The document is larger or nested deeper than allowed; the message never repeats its content."""


def nesting_depth(body: bytes, *, stop_above: int = MAX_DEPTH) -> int:
    """How deeply `body` nests arrays and objects, counted outside strings; the scan stops as soon as the
    depth passes `stop_above` (and returns that depth)."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1
    for match in _STRUCTURAL.finditer(body):
        at = match.start()
        if at == escaped_at:
            continue
        byte = body[at]
        if in_string:
            if byte == _BACKSLASH:
                escaped_at = at + 1
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    return deepest
        elif byte in _CLOSING:
            depth -= 1
    return deepest


def check(body: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> None:
    """Raise `JsonTooLarge` if `body` is longer than `max_bytes` or nests deeper than `max_depth`."""
    if len(body) > max_bytes:
        raise JsonTooLarge(f"JSON of {len(body)} bytes is larger than the {max_bytes} accepted")
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return  # cannot nest deeper than it opens: most documents need no scan
    if nesting_depth(body, stop_above=max_depth) > max_depth:
        raise JsonTooLarge(f"JSON nested deeper than the {max_depth} levels accepted")


def loads(body: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """`body` parsed, once `check` has passed it; raises `ValueError` (or `JsonTooLarge`) for what is not JSON
    within the bounds."""
    raw = body.encode() if isinstance(body, str) else body
    check(raw, max_bytes=max_bytes, max_depth=max_depth)
    return from_json(raw)
