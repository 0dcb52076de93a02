"""Topics come only from the catalogue; migrations apply once, also when replicas race."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, KafkaTimeoutError, UnknownTopicOrPartitionError

from deploy.local_stack.processes import drop_schemas
from platform_plumbing.database import create_pool
from platform_plumbing.kafka_clients import KafkaAccess, admin_for
from platform_plumbing.migrations import PLUMBING_MIGRATIONS
from platform_plumbing.settings import PlatformSettings
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import CATALOGUE, DEAD_LETTERS, topic_names
from services.intake.bootstrap import TABLES as INTAKE_TABLES
from tests.kafka_tools import PARTIES, eventually


async def describe(kafka: KafkaAccess, names: list[str]) -> dict[str, dict]:
    admin = admin_for(kafka)
    await admin.start()
    try:
        return {topic["topic"]: topic for topic in await admin.describe_topics(names)}
    finally:
        await admin.close()


async def test_every_catalogue_topic_is_created_once_with_its_partitions(settings, topics):
    again = await ensure_topics(settings.kafka, CATALOGUE, directory=PARTIES, prefix=settings.topic_prefix)

    assert again == [], "a second run creates nothing"
    for topic in CATALOGUE:
        names = [settings.topic(name) for name in topic.names(PARTIES)]
        described = await describe(settings.kafka, names)
        assert [len(described[name]["partitions"]) for name in names] == [topic.partitions] * len(names)


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat (Debian package) not installed")
async def test_an_independent_client_lists_the_topics(settings, topics):
    """kcat (librdkafka) gets in with the same TLS and SCRAM settings as the README's example."""
    options = [
        argument for key, value in settings.kafka.librdkafka_config().items() for argument in ("-X", f"{key}={value}")
    ]

    async def listing() -> str:
        result = await asyncio.to_thread(
            subprocess.run, ["kcat", "-L", *options], capture_output=True, text=True, timeout=30, check=True
        )
        return all(f'topic "{settings.topic(name)}"' in result.stdout for name in topic_names(PARTIES))

    assert await eventually(listing, timeout=15)


async def test_the_broker_does_not_create_topics_on_first_use(settings):
    producer = AIOKafkaProducer(**settings.kafka.client_options(), request_timeout_ms=3000)
    await producer.start()
    try:
        with pytest.raises((KafkaTimeoutError, UnknownTopicOrPartitionError, KafkaError)):
            await asyncio.wait_for(producer.send_and_wait(settings.topic("not.in.catalogue"), b"x"), timeout=20)
    finally:
        await producer.stop()
    described = await describe(settings.kafka, [settings.topic(DEAD_LETTERS.name)])
    assert all(t["error_code"] != 0 for t in described.values()), "not even catalogue topics exist until created"


async def test_migrations_apply_once_even_when_replicas_start_together(settings, as_service, namespace):
    service = PlatformSettings(**as_service("intake"))
    try:
        applied = await asyncio.gather(*(INTAKE_TABLES.prepare(service, namespace) for _ in range(3)))
        every_migration = len(list(PLUMBING_MIGRATIONS.glob("*.sql"))) + len(
            list(INTAKE_TABLES.migrations.glob("*.sql"))
        )
        assert sorted(map(len, applied)) == [0, 0, every_migration]
        assert await INTAKE_TABLES.prepare(service, namespace) == []
        pool = await create_pool(service.database_url, namespace)
        try:
            names = [r["name"] for r in await pool.fetch("SELECT name FROM schema_migrations ORDER BY name")]
        finally:
            await pool.close()
        intake = [f"intake/{path.stem}" for path in INTAKE_TABLES.migrations.glob("*.sql")]
        plumbing = [f"plumbing/{path.stem}" for path in PLUMBING_MIGRATIONS.glob("*.sql")]
        assert names == sorted([*plumbing, *intake])
    finally:
        await drop_schemas(settings.database_url, [namespace])
