"""PostgreSQL connection pool bound to one service's schema.

Each service owns one schema and never reads another's tables (DESIGN.md §2); its runtime role has no
right on any other (see `database_roles`). The pool sets `search_path` on every connection, so a
service's SQL names its tables without a schema and the same SQL runs in a test's throwaway schema.
The schema itself is made by `migrations.prepare_schema`, as the service's owner role.
"""

from __future__ import annotations

import asyncpg

from platform_plumbing.database_roles import checked_identifier


async def create_pool(database_url: str, schema: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    checked_identifier(schema)
    return await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": schema, "application_name": f"diversion-{schema}"},
    )


def fits_text(value: str) -> bool:
    """Whether PostgreSQL's `text` can hold `value`: it holds any character but NUL (a header's name may be any
    bytes on the wire, so one that holds a NUL must be left out of a row rather than fail its transaction)."""
    return "\x00" not in value
