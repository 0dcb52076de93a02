"""Least-privilege PostgreSQL: who may log in, and what each login may do.

Every service has two login roles. `<service>_owner` runs the migrations: it creates and owns the
service's schema and nothing else. `<service>_app` is what the running service connects as: it reads
and writes the rows of its own schema's tables, may only add to and read its history and audit tables
(no UPDATE, DELETE or TRUNCATE), and has no right at all on another service's schema. `operations_reader`
reads the few columns `diversion books` compares. Ownership, not a rule the same role could drop, is
what keeps the runtime role from altering its audit rows.

`provision_roles` creates the roles (an administrator runs it: `make up`, or a test session on a server
it was given); `grant_runtime` is run by each owner after migrating, since only the owner can grant on
the tables it has just created.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg

from platform_plumbing import audit_trail, keyring

SERVICES = {"intake": "INTAKE", "referral_router": "ROUTER", "compliance": "COMPLIANCE"}
"""Each service's stem (its role names' prefix) -> the prefix of its own settings."""
OPERATIONS_ROLE = "operations_reader"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_identifier(name: str) -> str:
    """A schema or role name safe to splice into SQL (neither can be a bind parameter)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid PostgreSQL identifier for this platform: {name!r}")
    return name


def owner_role(service: str) -> str:
    return f"{service}_owner"


def app_role(service: str) -> str:
    return f"{service}_app"


def login_roles() -> tuple[str, ...]:
    return (*(role(s) for s in SERVICES for role in (owner_role, app_role)), OPERATIONS_ROLE)


def new_passwords() -> dict[str, str]:
    """A fresh random password for every login role."""
    return {role: secrets.token_urlsafe(24) for role in login_roles()}


def login_of(url: str) -> str:
    """The role a connection URL logs in as."""
    user = urlsplit(url).username
    if not user:
        raise ValueError("the database URL names no user")
    return unquote(user)


@dataclass(frozen=True)
class DatabaseLogins:
    """Where the database is, and every login role's password: the URL each part of the platform uses."""

    admin_url: str
    passwords: Mapping[str, str]

    def url(self, role: str) -> str:
        parts = urlsplit(self.admin_url)
        host = parts.hostname or ""
        netloc = f"{quote(role)}:{quote(self.passwords[role], safe='')}@{host}"
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def service_settings(self, service: str) -> dict[str, str]:
        """`database_url` and `migration_database_url` for one service's settings."""
        return {"database_url": self.url(app_role(service)), "migration_database_url": self.url(owner_role(service))}

    def service_environment(self, service: str) -> dict[str, str]:
        """The same as environment variables, for a service run as a process of its own."""
        return {key.upper(): value for key, value in self.service_settings(service).items()}

    def stack_settings(self) -> dict[str, str]:
        """Every service's URLs under its own prefix (`INTAKE_DATABASE_URL`, …) and the operations reader's:
        what `make up` prints, so one sourced file configures every service and tool."""
        settings = {}
        for service, prefix in SERVICES.items():
            for key, value in self.service_environment(service).items():
                settings[f"{prefix}_{key}"] = value
        settings["OPERATIONS_DATABASE_URL"] = self.url(OPERATIONS_ROLE)
        return settings


async def provision_roles(admin_url: str, passwords: Mapping[str, str]) -> None:
    """Create (or reset the password of) every login role, and take from PUBLIC what it gets by default.

    Owners may create a schema in the database; app roles and the operations reader may only connect.
    Idempotent; run as an administrator.
    """
    connection = await asyncpg.connect(admin_url)
    try:
        database = checked_identifier(await connection.fetchval("SELECT current_database()"))
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext('diversion provision roles'))")
            await connection.execute(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
            await connection.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
            for role, password in passwords.items():
                checked_identifier(role)
                exists = await connection.fetchval("SELECT true FROM pg_roles WHERE rolname = $1", role)
                verb = "ALTER" if exists else "CREATE"
                statement = await connection.fetchval(
                    "SELECT format('%s ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', $1::text,"
                    " $2::text, $3::text)",
                    verb,
                    role,
                    password,
                )
                await connection.execute(statement)
                await connection.execute(f"GRANT CONNECT ON DATABASE {database} TO {role}")
            for service in SERVICES:
                await connection.execute(f"GRANT CREATE ON DATABASE {database} TO {owner_role(service)}")
            await _operations_trail(connection)
            await _keyring(connection)
    finally:
        await connection.close()


async def _operations_trail(connection: asyncpg.Connection) -> None:
    """The operations team's audit trail: their own schema, where they may only add and read rows."""
    schema = audit_trail.OPERATIONS_SCHEMA
    await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    await connection.execute(f"SET LOCAL search_path = {schema}")
    await connection.execute(audit_trail.TRAIL_TABLES)
    await connection.execute(f"GRANT USAGE ON SCHEMA {schema} TO {OPERATIONS_ROLE}")
    await connection.execute(f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {schema} TO {OPERATIONS_ROLE}")
    await connection.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {OPERATIONS_ROLE}")


async def _keyring(connection: asyncpg.Connection) -> None:
    """The wrapped data keys: intake may only add a case's, compliance may read and erase them (see `keyring`)."""
    await connection.execute(keyring.DDL)
    for service, tables in keyring.RIGHTS.items():
        await connection.execute(f"GRANT USAGE ON SCHEMA {keyring.SCHEMA} TO {app_role(service)}")
        for table, rights in tables.items():
            await connection.execute(f"GRANT {rights} ON {table} TO {app_role(service)}")


@dataclass(frozen=True)
class RuntimePrivileges:
    """What a service's runtime role may do in the schema its owner role migrated."""

    append_only: tuple[str, ...] = ()
    """History and audit tables: INSERT and SELECT only."""
    operations_reads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """table -> the columns the operations reader may read (ids and statuses, never personal data)."""


async def grant_runtime(
    connection: asyncpg.Connection, schema: str, runtime_role: str, privileges: RuntimePrivileges
) -> None:
    """As the schema's owner, give `runtime_role` its rights on every table (idempotent; run after every
    migration, inside its lock, since concurrent GRANTs on one object conflict).

    TRUNCATE and the migrations table's writes are never granted; the append-only tables lose UPDATE and
    DELETE. When the runtime role is the owner itself (a single-role database), there is nothing to grant.
    """
    schema, runtime_role = checked_identifier(schema), checked_identifier(runtime_role)
    if runtime_role == await connection.fetchval("SELECT current_user"):
        return
    await connection.execute(f"GRANT USAGE ON SCHEMA {schema} TO {runtime_role}")
    await connection.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {runtime_role}")
    await connection.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {runtime_role}")
    await connection.execute(f"REVOKE INSERT, UPDATE, DELETE ON {schema}.schema_migrations FROM {runtime_role}")
    for table in privileges.append_only:
        await connection.execute(f"REVOKE UPDATE, DELETE ON {schema}.{checked_identifier(table)} FROM {runtime_role}")
    if privileges.operations_reads and await connection.fetchval(
        "SELECT true FROM pg_roles WHERE rolname = $1", OPERATIONS_ROLE
    ):
        await connection.execute(f"GRANT USAGE ON SCHEMA {schema} TO {OPERATIONS_ROLE}")
        for table, columns in privileges.operations_reads.items():
            listed = ", ".join(checked_identifier(column) for column in columns)
            await connection.execute(
                f"GRANT SELECT ({listed}) ON {schema}.{checked_identifier(table)} TO {OPERATIONS_ROLE}"
            )
