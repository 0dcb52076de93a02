"""One case at a time across compliance's replicas.

A case's events come on several topics (its case, its referrals, each agency's updates), so two replicas
can hold events of the same case at once. Most of what they do is serialised by the case's row lock,
but not the moment a case or referral first arrives: one replica could hold a referral because its case
is unknown while another, at the same time, opens that case and finds nothing held to release — and the
referral would wait in `held_events` until it expired. A transaction-scoped advisory lock per case, taken
for the whole batch before any handler runs, closes that gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import asyncpg

LOCK_SPACE = "compliance.case"
"""The first of the two 32-bit keys: keeps these locks apart from other advisory locks in the database."""


async def lock_cases(connection: asyncpg.Connection, case_ids: Iterable[UUID]) -> None:
    """Lock `case_ids` until the transaction ends, in ascending key order, so that two batches sharing cases
    wait for each other instead of deadlocking. (The subquery's `OFFSET 0` keeps the sort before the locking.)"""
    keys = sorted({str(case_id) for case_id in case_ids})
    if keys:
        await connection.execute(
            """
            SELECT pg_advisory_xact_lock(hashtext($1), key)
            FROM (SELECT DISTINCT hashtext(id) AS key FROM unnest($2::text[]) AS id ORDER BY key OFFSET 0) AS keys
            """,
            LOCK_SPACE,
            keys,
        )
