"""A small SQL migration runner: numbered `.sql` files applied once each, in order, per schema.

Files are named `NNNN_what.sql`. The plumbing's own tables (outbox, inbox) live in
`platform_plumbing/migrations/sql/` and are applied to every service schema before the
service's own files. Several replicas may start at once, so the run holds an advisory lock.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from platform_plumbing.database_roles import RuntimePrivileges, checked_identifier, grant_runtime, login_of
from platform_plumbing.settings import PlatformSettings

PLUMBING_MIGRATIONS = Path(__file__).parent / "sql"


@dataclass(frozen=True)
class ServiceSchema:
    """A service's tables: where its migrations are, and what its runtime role may do with them."""

    service: str
    migrations: Path
    privileges: RuntimePrivileges

    async def prepare(self, settings: PlatformSettings, schema: str) -> list[str]:
        """Migrate `schema` as the settings' migration role and grant the runtime role its rights."""
        return await prepare_schema(
            settings.migration_database_url or settings.database_url,
            schema,
            {self.service: self.migrations},
            runtime_url=settings.database_url,
            privileges=self.privileges,
        )


async def prepare_schema(
    migration_url: str,
    schema: str,
    service_migrations: Mapping[str, Path] | None = None,
    *,
    runtime_url: str | None = None,
    privileges: RuntimePrivileges = RuntimePrivileges(),
) -> list[str]:
    """As the schema's owner (`migration_url`): create the schema if need be, apply every migration not yet
    applied, and grant the runtime role (the user of `runtime_url`) its rights; return the migrations applied.

    `service_migrations` maps a label (the service's name) to its folder of `.sql` files; a migration is
    recorded as `label/NNNN_what`. One transaction under an advisory lock, so replicas starting together
    neither run a migration twice nor collide on their grants.
    """
    checked_identifier(schema)
    connection = await asyncpg.connect(migration_url)
    try:
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", zlib.crc32(f"migrate:{schema}".encode()))
            await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            await connection.execute(f"SET LOCAL search_path TO {schema}")
            applied = await _migrate(connection, {"plumbing": PLUMBING_MIGRATIONS, **(service_migrations or {})})
            if runtime_url is not None:
                await grant_runtime(connection, schema, login_of(runtime_url), privileges)
        return applied
    finally:
        await connection.close()


async def _migrate(connection: asyncpg.Connection, folders: Mapping[str, Path]) -> list[str]:
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    done = {row["name"] for row in await connection.fetch("SELECT name FROM schema_migrations")}
    applied_now: list[str] = []
    for label, folder in folders.items():
        for path in sorted(folder.glob("*.sql")):
            name = f"{label}/{path.stem}"
            if name in done:
                continue
            await connection.execute(path.read_text())
            await connection.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied_now.append(name)
    return applied_now
