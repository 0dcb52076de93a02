"""Where the tests' Kafka and PostgreSQL come from, in this order:

1. `KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_ADMIN_URL` set: use those (both must be set).
2. `DIVERSION_TEST_DOCKER=1` and a Docker engine reachable: testcontainers, pinned images.
   Asked for but no engine: say so and fall through.
3. Otherwise the project's local stack (`deploy/local_stack`): reused if `make up` already
   started it, else started now and stopped when the session ends.

Services under test always log in as their own least-privilege roles: on a database given by 1 or 2
the session creates them with fresh passwords; the local stack has its own. The administrator's URL
is only for setting up and tearing down what a test owns.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from platform_plumbing.database_roles import DatabaseLogins, new_passwords, provision_roles

KAFKA_IMAGE = "confluentinc/cp-kafka:7.9.1"  # Apache Kafka 3.9, started in KRaft mode
POSTGRES_IMAGE = "postgres:16.6"


@dataclass(frozen=True)
class Infrastructure:
    kafka_bootstrap_servers: str
    database: DatabaseLogins
    origin: str

    @property
    def admin_url(self) -> str:
        return self.database.admin_url


def provide(stack: ExitStack) -> Infrastructure:
    bootstrap, database = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_ADMIN_URL")
    if bootstrap and database:
        return Infrastructure(bootstrap, _provisioned(database), "environment")
    if bootstrap or database:
        raise RuntimeError("set both KAFKA_BOOTSTRAP_SERVERS and DATABASE_ADMIN_URL, or neither")
    if os.environ.get("DIVERSION_TEST_DOCKER") == "1":
        if _docker_reachable():
            return _from_testcontainers(stack)
        print("DIVERSION_TEST_DOCKER=1 but no Docker engine is reachable: using the local stack", file=sys.stderr)
    return _from_local_stack(stack)


def _docker_reachable() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return False
    return True


def _from_testcontainers(stack: ExitStack) -> Infrastructure:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    kafka = stack.enter_context(
        KafkaContainer(KAFKA_IMAGE).with_kraft().with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
    )
    postgres = stack.enter_context(PostgresContainer(POSTGRES_IMAGE, driver=None))
    return Infrastructure(kafka.get_bootstrap_server(), _provisioned(postgres.get_connection_url()), "testcontainers")


def _provisioned(admin_url: str) -> DatabaseLogins:
    """The platform's login roles on a database we were given, with passwords of this session's own."""
    passwords = new_passwords()
    asyncio.run(provision_roles(admin_url, passwords))
    return DatabaseLogins(admin_url, passwords)


def _from_local_stack(stack: ExitStack) -> Infrastructure:
    from deploy.local_stack import kafka, postgres
    from deploy.local_stack.__main__ import up

    started_here = not (kafka.is_running(kafka.SINGLE) and postgres.is_running())
    settings = up(kafka.SINGLE)
    if started_here:
        stack.callback(_stopper(kafka, postgres))
    return Infrastructure(settings["KAFKA_BOOTSTRAP_SERVERS"], postgres.logins(), "local stack")


def _stopper(kafka, postgres) -> Callable[[], None]:
    def stop() -> None:
        kafka.stop(kafka.SINGLE)
        postgres.stop()

    return stop
