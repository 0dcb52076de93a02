"""`python -m services.intake.entrypoints.manage`: police clients and their API keys.

Keys are shown once, when issued; only their hash is stored. Rotate by issuing a new key,
switching the police system over, then revoking the old key by its id.
"""

from __future__ import annotations

import functools
from pathlib import Path

import typer

from platform_plumbing.api_key_cli import EXPIRES_IN_DAYS, first_key, kept_key, key_cli, print_first_key, run_in_schema
from platform_plumbing.clock import SystemClock
from services.intake.adapters.police_clients import PoliceClient, add_client
from services.intake.bootstrap import TABLES
from services.intake.domain.policy import Policies
from services.intake.settings import IntakeSettings


def _run(work):
    settings = IntakeSettings()
    return run_in_schema(settings, settings.intake_db_schema, TABLES, work)


cli = key_cli(_run, "POLICE_API_KEY")
cli.info.help = __doc__


Role = typer.Option(
    "police", "--role", help="police (the police system) or victim_contact (reports reparation and compensation)"
)


@cli.command()
def add(
    client_id: str, force_id: str, name: str, role: str = Role, expires_in_days: int | None = EXPIRES_IN_DAYS
) -> None:
    """Register a police client that acts for FORCE_ID, and print its first API key."""
    if role not in ("police", "victim_contact"):
        typer.echo("error: --role is police or victim_contact", err=True)
        raise typer.Exit(2)

    def issue():
        now = SystemClock().now()
        add = functools.partial(add_client, client=PoliceClient(client_id, force_id, name, role), now=now)
        return _run(lambda connection: first_key(connection, client_id, add, now=now, expires_in_days=expires_in_days))

    print_first_key(issue, client_id, "POLICE_API_KEY")


@cli.command("dev-key")
def dev_key(key_file: Path, role: str = Role) -> None:
    """For `make up`: print the development police client's key (or the victim-contact role's), kept in KEY_FILE."""
    force = Policies.load(IntakeSettings().intake_policy_files).forces[0]
    client_id = f"dev-{role.replace('_', '-')}-{force}"  # a new force, a new client: the old one's key is not kept

    async def register(connection) -> str:
        client = PoliceClient(client_id, force, f"development {role.replace('_', ' ')}", role)
        await add_client(connection, client, now=SystemClock().now())
        return client_id

    typer.echo(_run(lambda connection: kept_key(connection, key_file, register)))


if __name__ == "__main__":
    cli()
