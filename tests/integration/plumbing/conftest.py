"""Fixtures for running the sample service on the test's own topics and schema."""

from __future__ import annotations

import asyncpg
import pytest

from platform_plumbing.kafka_clients import create_producer
from tests.integration.plumbing.sample_service import EFFECTS_TABLE


@pytest.fixture
async def effects_pool(pool: asyncpg.Pool, topics) -> asyncpg.Pool:
    await pool.execute(EFFECTS_TABLE)
    return pool


@pytest.fixture
async def producer(settings):
    """The producer an outbox relay sends with."""
    producer = create_producer(settings.kafka, client_id="test-relay")
    await producer.start()
    yield producer
    await producer.stop()


async def count(pool: asyncpg.Pool, sql: str) -> int:
    return await pool.fetchval(sql)
