"""A service run as a real separate process (`python -m services.<name>`): started, waited for, killed.

Used by the end-to-end tests, the benchmark and the chaos run, which run services on topics and
schemas of their own (`isolated_service`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from platform_plumbing.database_roles import DatabaseLogins
from platform_plumbing.kafka_acls import acls_for
from platform_plumbing.kafka_admin import grant, revoke
from platform_plumbing.kafka_clients import KafkaAccess, KafkaLogins, admin_for
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import CATALOGUE, Directory


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServiceProcess:
    def __init__(
        self,
        module: str,
        environment: dict[str, str],
        port: int,
        log: Path,
        *,
        python: str = sys.executable,
        cwd: Path | None = None,
    ) -> None:
        """`python` and `cwd`: another installation of the platform than this one (a test of `pip install .`)."""
        self.module = module
        self.environment = {**os.environ, **environment}
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.python = python
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    async def start(self, *, timeout: float = 60.0) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [self.python, "-m", self.module],
                env=self.environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
            )
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.module} exited with {self.process.returncode}; see {self.log}")
                try:
                    if (await client.get(f"{self.url}/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.module} not ready within {timeout}s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no final commits — a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass(frozen=True)
class Isolatable:
    module: str
    kafka_principal: str
    database_roles: str
    """The service's stem in `database_roles.SERVICES` (its login roles); empty when it has no database."""
    schema_setting: str
    port_setting: str


ISOLATABLE = {
    "intake": Isolatable("services.intake", "intake", "intake", "INTAKE_DB_SCHEMA", "INTAKE_PORT"),
    "router": Isolatable(
        "services.referral_router", "referral-router", "referral_router", "ROUTER_DB_SCHEMA", "ROUTER_PORT"
    ),
    "compliance": Isolatable(
        "services.compliance", "compliance", "compliance", "COMPLIANCE_DB_SCHEMA", "COMPLIANCE_PORT"
    ),
    "dashboard": Isolatable("services.operations", "operations", "", "", "DASHBOARD_PORT"),
}


def isolated_service(
    name: str,
    *,
    kafka: KafkaLogins,
    database: DatabaseLogins,
    prefix: str,
    schema: str,
    log: Path,
    **extra: str,
) -> ServiceProcess:
    """Service `name` (a key of `ISOLATABLE`) on the topics under `prefix`, in `schema`, on a free port,
    logged in as its own Kafka principal and database roles.

    Replicas are two calls with the same prefix and schema: one consumer group, one database.
    """
    service = ISOLATABLE[name]
    port = free_port()
    environment = {
        **kafka.environment(service.kafka_principal),
        "TOPIC_PREFIX": prefix,
        **(database.service_environment(service.database_roles) if service.database_roles else {}),
        **({service.schema_setting: schema} if service.schema_setting else {}),
        service.port_setting: str(port),
        **extra,
    }
    return ServiceProcess(service.module, environment, port=port, log=log)


async def provide_topics(kafka_admin: KafkaAccess, directory: Directory, prefix: str) -> None:
    """The catalogue for `directory`'s forces and agencies under `prefix`, with the ACLs production has on
    it, so that services running as their own principals get exactly their production rights there."""
    await ensure_topics(kafka_admin, CATALOGUE, directory=directory, prefix=prefix)
    await grant(kafka_admin, acls_for(directory, prefix))


async def remove_topics(kafka_admin: KafkaAccess, directory: Directory, prefix: str) -> None:
    """Every topic under `prefix` (those services made too) and the ACLs `provide_topics` granted."""
    await delete_prefixed_topics(kafka_admin, prefix)
    await revoke(kafka_admin, acls_for(directory, prefix))


async def remove_isolated(
    kafka_admin: KafkaAccess, admin_url: str, directory: Directory, prefix: str, schemas: list[str]
) -> None:
    """Drop what isolated services left behind: their schemas, and their topics and ACLs under `prefix`."""
    await drop_schemas(admin_url, schemas)
    await remove_topics(kafka_admin, directory, prefix)


async def drop_schemas(admin_url: str, schemas: list[str]) -> None:
    """Drop `schemas` (as an administrator: they belong to several services' owner roles)."""
    connection = await asyncpg.connect(admin_url)
    try:
        for schema in schemas:
            await connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await connection.close()


async def delete_prefixed_topics(kafka_admin: KafkaAccess, prefix: str) -> None:
    """Delete every topic whose name starts with `prefix` (a test's or a run's own copies of the catalogue)."""
    admin = admin_for(kafka_admin)
    await admin.start()
    try:
        doomed = [topic for topic in await admin.list_topics() if topic.startswith(prefix)]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()
