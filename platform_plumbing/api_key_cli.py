"""The key-management commands every HTTP door shares: rotate, revoke and list keys, over the service's
schema.

Each service's `manage` module adds the command that registers its own kind of client (a police
system, a partner agency) through `first_key`, which refuses a client id that exists already: a key
issued under an existing id would act for whatever force or agency that id is bound to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import asyncpg
import typer

from platform_plumbing.api_keys import IssuedKey, issue_key, list_keys, principal_for, revoke_key
from platform_plumbing.audit_trail import Action
from platform_plumbing.clock import SystemClock
from platform_plumbing.database import create_pool
from platform_plumbing.migrations import ServiceSchema
from platform_plumbing.settings import PlatformSettings

T = TypeVar("T")
EXPIRES_IN_DAYS = typer.Option(None, "--expires-in-days", min=1, help="the key stops working after this many days")


class ClientExists(Exception):
    """The client id is taken: `rotate` issues it another key; a new client needs a new id."""


def expiry(days: int | None, now: datetime) -> datetime | None:
    return None if days is None else now + timedelta(days=days)


async def first_key(
    connection: asyncpg.Connection,
    client_id: str,
    add: Callable[[asyncpg.Connection], Awaitable[bool]],
    *,
    now: datetime,
    expires_in_days: int | None = None,
) -> IssuedKey:
    """Register a new client with `add` (which answers whether it was new) and issue its first key."""
    if not await add(connection):
        raise ClientExists(client_id)
    return await issue_key(connection, client_id, now=now, expires_at=expiry(expires_in_days, now))


def print_first_key(issue: Callable[[], IssuedKey], client_id: str, key_name: str) -> None:
    """Run `issue` (a `first_key`) and print the key, or refuse a client id that exists."""
    try:
        issued = issue()
    except ClientExists:
        typer.echo(f"error: client {client_id} exists already; `rotate {client_id}` issues it another key", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"key id {issued.key_id}\n{key_name}={issued.api_key}")


def run_in_schema(
    settings: PlatformSettings,
    schema: str,
    tables: ServiceSchema,
    work: Callable[[asyncpg.Connection], Awaitable[T]],
) -> T:
    """Run `work` in one transaction on the service's (migrated) schema, as its runtime role."""

    async def run() -> T:
        await tables.prepare(settings, schema)
        pool = await create_pool(settings.database_url, schema, max_size=2)
        try:
            async with pool.acquire() as connection, connection.transaction():
                return await work(connection)
        finally:
            await pool.close()

    return asyncio.run(run())


def key_cli(run: Callable[[Callable[[asyncpg.Connection], Awaitable[T]]], T], key_name: str) -> typer.Typer:
    """A Typer app with `rotate` and `revoke`; `run` executes work in the service's schema."""
    cli = typer.Typer(no_args_is_help=True)

    @cli.command()
    def rotate(client_id: str, expires_in_days: int | None = EXPIRES_IN_DAYS) -> None:
        """Issue an additional key for a client; revoke the old one once the client uses this one."""
        now = SystemClock().now()
        issued = run(
            lambda connection: issue_key(
                connection, client_id, now=now, expires_at=expiry(expires_in_days, now), action=Action.KEY_ROTATE
            )
        )
        typer.echo(f"key id {issued.key_id}\n{key_name}={issued.api_key}")

    @cli.command()
    def keys() -> None:
        """Every key: its client, when it was issued, expires and was last used, and whether it is revoked."""
        for key in run(list_keys):
            when = {
                "issued": key.created_at,
                "expires": key.expires_at,
                "last used": key.last_used_at,
                "revoked": key.revoked_at,
            }
            shown = "  ".join(f"{name} {value:%Y-%m-%d %H:%M}" for name, value in when.items() if value)
            typer.echo(f"{key.key_id}  {key.principal_id}  {shown}{'' if key.last_used_at else '  never used'}")

    @cli.command()
    def revoke(key_id: str) -> None:
        """Revoke a key by its id (the 12 hex digits after `dvk_`)."""
        if not run(lambda connection: revoke_key(connection, key_id, now=SystemClock().now())):
            typer.echo(f"no live key with id {key_id}", err=True)
            raise typer.Exit(1)
        typer.echo(f"revoked {key_id}")

    return cli


async def kept_key(
    connection: asyncpg.Connection, key_file: Path, register: Callable[[asyncpg.Connection], Awaitable[str]]
) -> str:
    """The development key stored in `key_file` if it is still live and still the client's that `register` makes
    (after a change of force in the policy, say, it is not); else `register` the client, issue and store a key."""
    client_id = await register(connection)
    if key_file.exists() and await principal_for(connection, key_file.read_text().strip()) == client_id:
        return key_file.read_text().strip()
    issued = await issue_key(connection, client_id, now=SystemClock().now())
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(issued.api_key)
    key_file.chmod(0o600)
    return issued.api_key
