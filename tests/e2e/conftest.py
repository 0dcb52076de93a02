"""Services as real processes on the test's own topics and schemas."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import asyncpg
import pytest

from deploy.local_stack.processes import (
    ServiceProcess,
    drop_schemas,
    free_port,
    isolated_service,
)
from platform_plumbing.api_keys import issue_key
from platform_plumbing.clock import SystemClock
from services.compliance.adapters.gateway_clients import GatewayClient
from services.compliance.adapters.gateway_clients import add_client as add_gateway_client
from services.intake.adapters.police_clients import PoliceClient, add_client
from services.referral_router.adapters.operations_clients import OperationsClient
from services.referral_router.adapters.operations_clients import add_client as add_operations_client
from tests.accounts import add_account
from tests.kafka_tools import make_topics, remove_topics


@pytest.fixture
async def start_service(settings, infrastructure, namespace, topics, tmp_path):
    """Start a service (`intake`, `router`, `compliance`, `dashboard`) as a process on this test's topics, as
    its own Kafka principal and database roles; its schema is `<namespace>_<name>`. Returns the process and
    the schema."""
    started: list[tuple[ServiceProcess, str]] = []

    async def start(suffix: str, **extra: str):
        schema = f"{namespace}_{suffix}"
        service = isolated_service(
            suffix,
            kafka=infrastructure.kafka,
            database=infrastructure.database,
            prefix=settings.topic_prefix,
            schema=schema,
            log=tmp_path / f"{suffix}.log",
            **extra,
        )
        await service.start()
        started.append((service, schema))
        return service, schema

    yield start
    for service, _ in started:
        service.stop()
    await drop_schemas(settings.database_url, [schema for _, schema in started])


async def police_key(database_url: str, schema: str, client_id: str = "e2e-police") -> str:
    """Register a police client for the policy's force in intake's `schema` and return a fresh key."""
    connection = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        now = SystemClock().now()
        await add_client(connection, PoliceClient(client_id, "cambridgeshire", client_id), now=now)
        return (await issue_key(connection, client_id, now=now)).api_key
    finally:
        await connection.close()


async def agency_key(database_url: str, schema: str, agency_id: str) -> str:
    """Register a partner agency's gateway client in compliance's `schema` and return a fresh key."""
    connection = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        now = SystemClock().now()
        await add_gateway_client(connection, GatewayClient(agency_id, "agency", agency_id, agency_id), now=now)
        return (await issue_key(connection, agency_id, now=now)).api_key
    finally:
        await connection.close()


async def operations_key(database_url: str, schema: str) -> str:
    """Register an operations client in compliance's `schema` and return a fresh key."""
    connection = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        now = SystemClock().now()
        await add_gateway_client(connection, GatewayClient("ops", "operations", None, "operations"), now=now)
        return (await issue_key(connection, "ops", now=now)).api_key
    finally:
        await connection.close()


async def router_key(database_url: str, schema: str) -> str:
    """Register an operations client in the router's `schema` and return a fresh key."""
    connection = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        now = SystemClock().now()
        await add_operations_client(connection, OperationsClient("ops", "operations"), now=now)
        return (await issue_key(connection, "ops", now=now)).api_key
    finally:
        await connection.close()


@contextlib.contextmanager
def service_for_fuzzing(infrastructure, module: str, name: str, log_dir, provision):
    """One service as a process on a schema and topic prefix of its own, for a whole test module; yields its
    URL and what `provision(admin_url, schema)` returns (a key), and cleans up after."""
    namespace = f"t{uuid.uuid4().hex[:12]}"
    port = free_port()
    service = ServiceProcess(
        module,
        {
            **infrastructure.kafka.environment(name),
            **infrastructure.database.service_environment(name),
            "TOPIC_PREFIX": f"{namespace}.",
            f"{name.upper()}_DB_SCHEMA": namespace,
            f"{name.upper()}_PORT": str(port),
            "AUTH_FAILURE_LIMIT": "1000000",  # the fuzzer sends wrong keys on purpose; the limit is tested apart
        },
        port=port,
        log=log_dir / f"{name}.log",
    )

    async def start() -> object:
        await make_topics(infrastructure.kafka.admin, f"{namespace}.")
        await service.start()
        return await provision(infrastructure.admin_url, namespace)

    try:
        yield service.url, asyncio.run(start())
    finally:
        service.stop()
        asyncio.run(drop_schemas(infrastructure.admin_url, [namespace]))
        asyncio.run(remove_topics(infrastructure.kafka.admin, f"{namespace}."))


async def person_account(database_url: str, schema: str, email: str, role: str, agency: str | None = None) -> str:
    """An account for the web pages in compliance's `schema`; its password."""
    connection = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        return await add_account(connection, email, role, agency, now=SystemClock().now())
    finally:
        await connection.close()
