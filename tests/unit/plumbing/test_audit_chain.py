"""The audit chain's hash: the same row after the same link always hashes the same; any change to a column,
to the link before it, or to the row's id does not."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

import pytest

from platform_plumbing.audit_trail import GENESIS, row_hash, verify

ROW = {
    "id": 7,
    "at": datetime(2026, 11, 30, 9, tzinfo=UTC),
    "actor": "brighter-tomorrows",
    "action": "consultation",
    "purpose": "arranging_contact",
    "case_id": uuid.UUID("0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e99"),
    "referral_id": None,
    "recipient": None,
    "fields": ["given_name", "phone"],
    "detail": "read referral",
    "replayed_by": None,
}


def test_the_hash_is_stable_and_covers_every_column_and_the_link():
    original = row_hash(GENESIS, ROW)
    assert row_hash(GENESIS, dict(ROW)) == original and len(original) == 32
    changed = [
        row_hash(GENESIS, {**ROW, column: value})
        for column, value in {
            "id": 8,
            "at": datetime(2026, 11, 30, 10, tzinfo=UTC),
            "actor": "someone-else",
            "action": "disclosure",
            "purpose": "statistics",
            "case_id": None,
            "referral_id": uuid.uuid4(),
            "recipient": "money-advice",
            "fields": ["given_name"],
            "detail": "",
            "replayed_by": "operator:jsmith",
        }.items()
    ]
    assert original not in changed and len(set(changed)) == len(changed)
    assert row_hash(b"\x01" * 32, ROW) != original


def test_a_row_sealed_before_replays_were_recorded_hashes_as_it_did():
    """`replayed_by` came after rows were sealed: a row without it must hash as it did then, or every chain
    sealed before would read as broken."""
    sealed_before = {column: value for column, value in ROW.items() if column != "replayed_by"}
    as_hashed_then = hashlib.sha256(
        GENESIS + json.dumps(sealed_before, sort_keys=True, default=str, separators=(",", ":")).encode()
    ).digest()

    assert row_hash(GENESIS, ROW) == as_hashed_then


async def test_verify_takes_only_a_schema_name():
    for hostile in ("compliance; DROP TABLE audit_log", "public.audit_log --", "Compliance"):
        with pytest.raises(ValueError, match="not a schema name"):
            await verify(None, hostile)
