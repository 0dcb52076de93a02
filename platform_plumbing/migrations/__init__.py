"""A small SQL migration runner: numbered `.sql` files applied once each, in order, per schema.

Files are named `NNNN_what.sql`. The plumbing's own tables (outbox, inbox) live in
`platform_plumbing/migrations/sql/` and are applied to every service schema before the
service's own files. Several replicas may start at once, so the run holds an advisory lock.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path

import asyncpg

PLUMBING_MIGRATIONS = Path(__file__).parent / "sql"


async def migrate(pool: asyncpg.Pool, service_migrations: Mapping[str, Path] | None = None) -> list[str]:
    """Apply every migration not yet applied to the pool's schema; return the ones it applied.

    `service_migrations` maps a label (the service's name) to its folder of `.sql` files; a
    migration is recorded as `label/NNNN_what`.
    """
    folders = {"plumbing": PLUMBING_MIGRATIONS, **(service_migrations or {})}
    applied_now: list[str] = []
    async with pool.acquire() as connection:
        schema = await connection.fetchval("SELECT current_schema()")
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", zlib.crc32(f"migrate:{schema}".encode()))
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row["name"] for row in await connection.fetch("SELECT name FROM schema_migrations")}
            for label, folder in folders.items():
                for path in sorted(folder.glob("*.sql")):
                    name = f"{label}/{path.stem}"
                    if name in done:
                        continue
                    await connection.execute(path.read_text())
                    await connection.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                    applied_now.append(name)
    return applied_now
