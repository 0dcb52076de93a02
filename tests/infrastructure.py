"""Where the tests' Kafka and PostgreSQL come from, in this order:

1. `KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` set: use those (both must be set).
2. `DIVERSION_TEST_DOCKER=1` and a Docker engine reachable: testcontainers, pinned images.
   Asked for but no engine: say so and fall through.
3. Otherwise the project's local stack (`deploy/local_stack`): reused if `make up` already
   started it, else started now and stopped when the session ends.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

KAFKA_IMAGE = "confluentinc/cp-kafka:7.9.1"  # Apache Kafka 3.9, started in KRaft mode
POSTGRES_IMAGE = "postgres:16.6"


@dataclass(frozen=True)
class Infrastructure:
    kafka_bootstrap_servers: str
    database_url: str
    origin: str


def provide(stack: ExitStack) -> Infrastructure:
    bootstrap, database = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    if bootstrap and database:
        return Infrastructure(bootstrap, database, "environment")
    if bootstrap or database:
        raise RuntimeError("set both KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL, or neither")
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
    return Infrastructure(kafka.get_bootstrap_server(), postgres.get_connection_url(), "testcontainers")


def _from_local_stack(stack: ExitStack) -> Infrastructure:
    from deploy.local_stack import kafka, postgres
    from deploy.local_stack.__main__ import up

    started_here = not (kafka.is_running(kafka.SINGLE) and postgres.is_running())
    settings = up(kafka.SINGLE)
    if started_here:
        stack.callback(_stopper(kafka, postgres))
    return Infrastructure(settings["KAFKA_BOOTSTRAP_SERVERS"], settings["DATABASE_URL"], "local stack")


def _stopper(kafka, postgres) -> Callable[[], None]:
    def stop() -> None:
        kafka.stop(kafka.SINGLE)
        postgres.stop()

    return stop
