"""The agency load counter (migration 0002) agrees with counting the active referrals, whatever
status changes the referrals go through."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

from platform_plumbing.pending_writes import PendingWrites
from services.referral_router.adapters.referral_store import RouterStore

STATUSES = (
    "unmatched",
    "queued",
    "issued",
    "accepted",
    "in_progress",
    "completed",
    "breached",
    "disengaged",
    "declined",
    "timed_out",
    "agency_withdrew",
    "cancelled",
)
NOW = datetime(2026, 3, 3, 10, tzinfo=UTC)


async def test_the_counter_follows_every_status_change(router):
    async with router.pool.acquire() as connection, connection.transaction():
        case_id = uuid.uuid4()
        await connection.execute(
            "INSERT INTO cases (case_id, disposal_type, age, sex, area, domestic_abuse, youth_offending_team,"
            " status, opened_at) VALUES ($1, 'adult_conditional_caution', 30, 'male', 'peterborough', false, false,"
            " 'open', $2)",
            case_id,
            NOW,
        )
        for n, (before, after) in enumerate(itertools.product(STATUSES, STATUSES)):
            referral_id = uuid.uuid4()
            await connection.execute(
                "INSERT INTO referrals (referral_id, case_id, agency_id, needs, delivery_mode, status, explanation,"
                " candidates, created_at, updated_at) VALUES ($1, $2, $3, '[]', 'in_person', $4, '', '[]', $5, $5)",
                referral_id,
                case_id,
                f"agency-{n % 3}",
                before,
                NOW,
            )
            await connection.execute("UPDATE referrals SET status = $2 WHERE referral_id = $1", referral_id, after)
        counted = await connection.fetch(
            "SELECT agency_id, count(*) FROM referrals"
            " WHERE status IN ('issued', 'accepted', 'in_progress') GROUP BY agency_id"
        )

        load = await RouterStore(connection, PendingWrites()).agency_load()

    assert {k: v for k, v in load.items() if v} == {row["agency_id"]: row["count"] for row in counted}
    assert sum(load.values()) == 36  # every pair ending in one of the three active statuses
