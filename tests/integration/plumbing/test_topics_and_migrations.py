"""Topics come only from the catalogue; migrations apply once, also when replicas race."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError, KafkaTimeoutError, UnknownTopicOrPartitionError

from deploy.local_stack.processes import drop_schemas
from platform_plumbing.database import create_pool
from platform_plumbing.settings import PlatformSettings
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import CATALOGUE, DEAD_LETTERS
from services.intake.bootstrap import TABLES as INTAKE_TABLES
from tests.kafka_tools import eventually


async def describe(bootstrap: str, names: list[str]) -> dict[str, dict]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {topic["topic"]: topic for topic in await admin.describe_topics(names)}
    finally:
        await admin.close()


async def test_every_catalogue_topic_is_created_once_with_its_partitions(settings, topics):
    again = await ensure_topics(settings.kafka_bootstrap_servers, CATALOGUE, prefix=settings.topic_prefix)

    names = [settings.topic(t.name) for t in CATALOGUE]
    assert again == [], "a second run creates nothing"
    described = await describe(settings.kafka_bootstrap_servers, names)
    for topic in CATALOGUE:
        assert len(described[settings.topic(topic.name)]["partitions"]) == topic.partitions


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat (Debian package) not installed")
async def test_an_independent_client_lists_the_topics(settings, topics):
    async def listing() -> str:
        result = await asyncio.to_thread(
            subprocess.run,
            ["kcat", "-L", "-b", settings.kafka_bootstrap_servers],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return all(f'topic "{settings.topic(t.name)}"' in result.stdout for t in CATALOGUE)

    assert await eventually(listing, timeout=15)


async def test_the_broker_does_not_create_topics_on_first_use(settings):
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=3000)
    await producer.start()
    try:
        with pytest.raises((KafkaTimeoutError, UnknownTopicOrPartitionError, KafkaError)):
            await asyncio.wait_for(producer.send_and_wait(settings.topic("not.in.catalogue"), b"x"), timeout=20)
    finally:
        await producer.stop()
    described = await describe(settings.kafka_bootstrap_servers, [settings.topic(DEAD_LETTERS.name)])
    assert all(t["error_code"] != 0 for t in described.values()), "not even catalogue topics exist until created"


async def test_migrations_apply_once_even_when_replicas_start_together(settings, as_service, namespace):
    service = PlatformSettings(**as_service("intake"))
    try:
        applied = await asyncio.gather(*(INTAKE_TABLES.prepare(service, namespace) for _ in range(3)))
        every_migration = 2 + len(list(INTAKE_TABLES.migrations.glob("*.sql")))
        assert sorted(map(len, applied)) == [0, 0, every_migration]
        assert await INTAKE_TABLES.prepare(service, namespace) == []
        pool = await create_pool(service.database_url, namespace)
        try:
            names = [r["name"] for r in await pool.fetch("SELECT name FROM schema_migrations ORDER BY name")]
        finally:
            await pool.close()
        intake = [f"intake/{path.stem}" for path in INTAKE_TABLES.migrations.glob("*.sql")]
        assert names == sorted(["plumbing/0001_outbox", "plumbing/0002_inbox", *intake])
    finally:
        await drop_schemas(settings.database_url, [namespace])
