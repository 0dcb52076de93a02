"""PostgreSQL connection pool bound to one service's schema.

Each service owns one schema and never reads another's tables (DESIGN.md §2). The pool sets
`search_path` on every connection, so a service's SQL names its tables without a schema and the
same SQL runs in a test's throwaway schema.
"""

from __future__ import annotations

import re

import asyncpg

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_schema(schema: str) -> str:
    """A schema name safe to splice into SQL (it cannot be a bind parameter)."""
    if not _IDENTIFIER.match(schema):
        raise ValueError(f"not a valid schema name: {schema!r}")
    return schema


async def create_pool(database_url: str, schema: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    checked_schema(schema)
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    finally:
        await connection.close()
    return await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": schema, "application_name": f"diversion-{schema}"},
    )
