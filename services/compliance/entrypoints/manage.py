"""`python -m services.compliance.entrypoints.manage`: gateway clients (partner agencies, operations, a police
force's systems) and their API keys. Keys are shown once; only their hash is stored."""

from __future__ import annotations

import functools
from pathlib import Path

import typer

from platform_plumbing.api_key_cli import EXPIRES_IN_DAYS, first_key, kept_key, key_cli, print_first_key, run_in_schema
from platform_plumbing.clock import SystemClock
from services.compliance.adapters.gateway_clients import GatewayClient, add_client
from services.compliance.bootstrap import TABLES
from services.compliance.settings import ComplianceSettings


def _run(work):
    settings = ComplianceSettings()
    return run_in_schema(settings, settings.compliance_db_schema, TABLES, work)


cli = key_cli(_run, "AGENCY_API_KEY")
cli.info.help = __doc__


def _client(client_id: str, agency_id: str | None, name: str) -> GatewayClient:
    return GatewayClient(client_id, "agency" if agency_id else "operations", agency_id, name)


@cli.command("add-agency")
def add_agency(client_id: str, agency_id: str, name: str, expires_in_days: int | None = EXPIRES_IN_DAYS) -> None:
    """Register a client for the partner agency AGENCY_ID (as in the catalogue) and print its first key."""
    _add(_client(client_id, agency_id, name), expires_in_days)


@cli.command("add-police")
def add_police(client_id: str, force_id: str, name: str, expires_in_days: int | None = EXPIRES_IN_DAYS) -> None:
    """Register a client for the police force FORCE_ID: it reads its own force's safeguarding concerns."""
    _add(GatewayClient(client_id, "police", None, name, force_id), expires_in_days)


@cli.command("add-operations")
def add_operations(client_id: str, name: str, expires_in_days: int | None = EXPIRES_IN_DAYS) -> None:
    """Register an operations client (reports, no referral data) and print its first key."""
    _add(_client(client_id, None, name), expires_in_days)


@cli.command("dev-key")
def dev_key(key_file: Path, client_id: str, agency_id: str = typer.Option("", help="empty: operations")) -> None:
    """For `make up`: print a development client's key, kept in KEY_FILE."""

    async def register(connection) -> str:
        await add_client(connection, _client(client_id, agency_id or None, client_id), now=SystemClock().now())
        return client_id

    typer.echo(_run(lambda connection: kept_key(connection, key_file, register)))


def _add(client: GatewayClient, expires_in_days: int | None) -> None:
    def issue():
        now = SystemClock().now()
        add = functools.partial(add_client, client=client, now=now)
        return _run(
            lambda connection: first_key(connection, client.client_id, add, now=now, expires_in_days=expires_in_days)
        )

    print_first_key(issue, client.client_id, "AGENCY_API_KEY")


if __name__ == "__main__":
    cli()
