"""Fixtures for running the sample service on the test's own topics and schema."""

from __future__ import annotations

import asyncpg
import pytest

from tests.integration.plumbing.sample_service import EFFECTS_TABLE


@pytest.fixture
async def effects_pool(pool: asyncpg.Pool, topics) -> asyncpg.Pool:
    await pool.execute(EFFECTS_TABLE)
    return pool


async def count(pool: asyncpg.Pool, sql: str) -> int:
    return await pool.fetchval(sql)
