"""`python -m services.intake.entrypoints.manage`: police clients and their API keys.

Keys are shown once, when issued; only their hash is stored. Rotate by issuing a new key,
switching the police system over, then revoking the old key by its id.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from platform_plumbing.api_keys import issue_key, principal_for, revoke_key
from platform_plumbing.clock import SystemClock
from platform_plumbing.database import create_pool
from platform_plumbing.migrations import migrate
from services.intake.adapters.police_clients import PoliceClient, add_client
from services.intake.bootstrap import MIGRATIONS
from services.intake.domain.policy import load_policy
from services.intake.settings import IntakeSettings

cli = typer.Typer(help=__doc__, no_args_is_help=True)


async def _in_schema(work):
    settings = IntakeSettings()
    pool = await create_pool(settings.database_url, settings.intake_db_schema, max_size=2)
    try:
        await migrate(pool, {"intake": MIGRATIONS})
        async with pool.acquire() as connection, connection.transaction():
            return await work(connection)
    finally:
        await pool.close()


@cli.command()
def add(client_id: str, force_id: str, name: str) -> None:
    """Register a police client that acts for FORCE_ID, and print its first API key."""

    async def work(connection):
        now = SystemClock().now()
        await add_client(connection, PoliceClient(client_id, force_id, name), now=now)
        return await issue_key(connection, client_id, now=now)

    issued = asyncio.run(_in_schema(work))
    typer.echo(f"key id {issued.key_id}\nPOLICE_API_KEY={issued.api_key}")


@cli.command()
def rotate(client_id: str) -> None:
    """Issue an additional key for a client; revoke the old one once the client uses this one."""
    issued = asyncio.run(_in_schema(lambda connection: issue_key(connection, client_id, now=SystemClock().now())))
    typer.echo(f"key id {issued.key_id}\nPOLICE_API_KEY={issued.api_key}")


@cli.command()
def revoke(key_id: str) -> None:
    """Revoke a key by its id (the 12 hex digits after `dvk_`)."""
    if not asyncio.run(_in_schema(lambda connection: revoke_key(connection, key_id, now=SystemClock().now()))):
        typer.echo(f"no live key with id {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


@cli.command("dev-key")
def dev_key(key_file: Path) -> None:
    """For `make up`: print the development client's key, kept in KEY_FILE, issuing it if it is not live."""

    async def work(connection):
        if key_file.exists() and await principal_for(connection, key_file.read_text().strip()):
            return key_file.read_text().strip()
        now = SystemClock().now()
        settings = IntakeSettings()
        force = load_policy(settings.intake_policy_file).force_id
        await add_client(connection, PoliceClient("dev-police", force, "development police system"), now=now)
        issued = await issue_key(connection, "dev-police", now=now)
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(issued.api_key)
        key_file.chmod(0o600)
        return issued.api_key

    typer.echo(asyncio.run(_in_schema(work)))


if __name__ == "__main__":
    cli()
