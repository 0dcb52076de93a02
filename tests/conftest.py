"""Session-wide real Kafka and PostgreSQL; per-test isolation by topic prefix and schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack

import asyncpg
import pytest

from deploy.local_stack import kafka
from deploy.local_stack.processes import drop_schemas
from platform_plumbing.database import create_pool
from platform_plumbing.migrations import prepare_schema
from platform_plumbing.settings import PlatformSettings
from platform_plumbing.tracing import configure_tracing
from tests.infrastructure import Infrastructure, provide
from tests.kafka_tools import make_topics, remove_topics


@pytest.fixture(scope="session", autouse=True)
def real_trace_ids() -> None:
    """Spans with real ids, as the services have, so trace context is propagated in tests too."""
    configure_tracing()


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    with ExitStack() as stack:
        yield provide(stack)


@pytest.fixture(scope="session")
def cluster() -> Iterator[kafka.KafkaTopology]:
    """The local stack's 3-broker cluster, stopped at the end of the session unless it was already up."""
    already_running = kafka.is_running(kafka.CLUSTER)
    kafka.start(kafka.CLUSTER)
    yield kafka.CLUSTER
    if not already_running:
        kafka.stop(kafka.CLUSTER)


@pytest.fixture
def namespace() -> str:
    """A name unique to this test, used as its topic prefix, schema and consumer-group stem."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings(infrastructure: Infrastructure, namespace: str) -> PlatformSettings:
    """This test's settings, as the administrators: what a test itself does to set up, look and tear down."""
    admin = infrastructure.kafka.admin
    return PlatformSettings(
        kafka_bootstrap_servers=admin.bootstrap_servers,
        kafka_username=admin.username,
        kafka_password=admin.password,
        kafka_ca_file=admin.ca_file,
        database_url=infrastructure.admin_url,
        topic_prefix=f"{namespace}.",
        retry_backoff_seconds=0.2,
        outbox_poll_seconds=0.5,
    )


@pytest.fixture
def as_service(settings: PlatformSettings, infrastructure: Infrastructure) -> Callable[[str], dict]:
    """`as_service("intake")`: this test's settings, logged in as that service's own Kafka principal and
    database roles (runtime and migration), for building its settings class."""

    def logged_in(service: str) -> dict:
        login = infrastructure.kafka.of(service.replace("_", "-"))
        return {
            **settings.model_dump(),
            **infrastructure.database.service_settings(service),
            "kafka_username": login.username,
            "kafka_password": login.password,
        }

    return logged_in


@pytest.fixture
async def topics(settings: PlatformSettings) -> AsyncIterator[PlatformSettings]:
    """The whole catalogue for the test's force and agencies, created under this test's prefix with the ACLs
    production has on it; all deleted afterwards."""
    await make_topics(settings.kafka, settings.topic_prefix)
    yield settings
    await remove_topics(settings.kafka, settings.topic_prefix)


@pytest.fixture
async def pool(settings: PlatformSettings, namespace: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a schema of this test's own, with the plumbing's tables; dropped afterwards."""
    await prepare_schema(settings.database_url, namespace)
    db = await create_pool(settings.database_url, namespace)
    yield db
    await db.close()
    await drop_schemas(settings.database_url, [namespace])
