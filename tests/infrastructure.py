"""Where the tests' Kafka and PostgreSQL come from, in this order:

1. `KAFKA_BOOTSTRAP_SERVERS`, `KAFKA_ADMIN_USERNAME`, `KAFKA_ADMIN_PASSWORD`, `KAFKA_CA_FILE` and
   `DATABASE_ADMIN_URL` set: use those (all must be set). The broker must run TLS with SASL/SCRAM and
   an authorizer that denies what no ACL allows, as the local stack's does.
2. `DIVERSION_TEST_DOCKER=1` and a Docker engine reachable: PostgreSQL from testcontainers (a pinned
   image); Kafka still from the local stack, since a secured broker needs its CA, SCRAM users and
   ACLs set up as `deploy/local_stack` does. Asked for but no engine: say so and fall through.
3. Otherwise the project's local stack (`deploy/local_stack`): reused if `make up` already
   started it, else started now and stopped when the session ends.

Services under test always log in as their own principals and least-privilege roles: on a broker or
database given by 1 or 2 the session creates them with fresh passwords; the local stack has its own.
The administrators' logins are only for setting up and tearing down what a test owns.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from deploy.local_stack.keys import ensure_kek
from platform_plumbing.database_roles import DatabaseLogins, new_passwords, provision_roles
from platform_plumbing.kafka_acls import principals
from platform_plumbing.kafka_admin import set_passwords
from platform_plumbing.kafka_clients import KafkaAccess, KafkaLogins
from platform_plumbing.settings import KEK_FILE
from tests.kafka_tools import PARTIES

POSTGRES_IMAGE = "postgres:16.6"
KAFKA_ADMIN_SETTINGS = ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_ADMIN_USERNAME", "KAFKA_ADMIN_PASSWORD", "KAFKA_CA_FILE")


@dataclass(frozen=True)
class Infrastructure:
    kafka: KafkaLogins
    database: DatabaseLogins
    origin: str

    @property
    def admin_url(self) -> str:
        return self.database.admin_url


def provide(stack: ExitStack) -> Infrastructure:
    ensure_kek(KEK_FILE)  # the services' default KEK, whichever broker and database they are given
    given = {name: os.environ.get(name) for name in (*KAFKA_ADMIN_SETTINGS, "DATABASE_ADMIN_URL")}
    if all(given.values()):
        admin = KafkaAccess(*(given[name] for name in KAFKA_ADMIN_SETTINGS))
        return Infrastructure(_principals(admin), _roles(given["DATABASE_ADMIN_URL"]), "environment")
    if any(given.values()):
        raise RuntimeError(f"set all of {', '.join(given)}, or none")
    if os.environ.get("DIVERSION_TEST_DOCKER") == "1":
        if _docker_reachable():
            return _postgres_from_testcontainers(stack)
        print("DIVERSION_TEST_DOCKER=1 but no Docker engine is reachable: using the local stack", file=sys.stderr)
    return _from_local_stack(stack)


def _docker_reachable() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return False
    return True


def _postgres_from_testcontainers(stack: ExitStack) -> Infrastructure:
    from testcontainers.postgres import PostgresContainer

    postgres = stack.enter_context(PostgresContainer(POSTGRES_IMAGE, driver=None))
    local = _from_local_stack(stack)
    return Infrastructure(local.kafka, _roles(postgres.get_connection_url()), "testcontainers PostgreSQL")


def _roles(admin_url: str) -> DatabaseLogins:
    """The platform's login roles on a database we were given, with passwords of this session's own."""
    passwords = new_passwords()
    asyncio.run(provision_roles(admin_url, passwords))
    return DatabaseLogins(admin_url, passwords)


def _principals(admin: KafkaAccess) -> KafkaLogins:
    """The platform's principals on a broker we were given, with passwords of this session's own."""
    passwords = {principal: os.urandom(18).hex() for principal in principals(PARTIES)}
    asyncio.run(set_passwords(admin, passwords))
    return KafkaLogins(admin, passwords)


def _from_local_stack(stack: ExitStack) -> Infrastructure:
    from deploy.local_stack import kafka, postgres
    from deploy.local_stack.__main__ import up

    started_here = not (kafka.is_running(kafka.SINGLE) and postgres.is_running())
    up(kafka.SINGLE)
    if started_here:
        stack.callback(_stopper(kafka, postgres))
    return Infrastructure(kafka.logins(kafka.SINGLE), postgres.logins(), "local stack")


def _stopper(kafka, postgres) -> Callable[[], None]:
    def stop() -> None:
        kafka.stop(kafka.SINGLE)
        postgres.stop()

    return stop
