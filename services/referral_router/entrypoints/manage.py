"""`python -m services.referral_router.entrypoints.manage`: the operations team's clients of the router's
HTTP API and their API keys. Keys are shown once; only their hash is stored."""

from __future__ import annotations

import functools
from pathlib import Path

import typer

from platform_plumbing.api_key_cli import EXPIRES_IN_DAYS, first_key, kept_key, key_cli, print_first_key, run_in_schema
from platform_plumbing.clock import SystemClock
from services.referral_router.adapters.operations_clients import OperationsClient, add_client
from services.referral_router.bootstrap import TABLES
from services.referral_router.settings import RouterSettings


def _run(work):
    settings = RouterSettings()
    return run_in_schema(settings, settings.router_db_schema, TABLES, work)


cli = key_cli(_run, "ROUTER_API_KEY")
cli.info.help = __doc__


@cli.command("add-operations")
def add_operations(client_id: str, name: str, expires_in_days: int | None = EXPIRES_IN_DAYS) -> None:
    """Register an operations client and print its first key."""

    def issue():
        now = SystemClock().now()
        add = functools.partial(add_client, client=OperationsClient(client_id, name), now=now)
        return _run(lambda connection: first_key(connection, client_id, add, now=now, expires_in_days=expires_in_days))

    print_first_key(issue, client_id, "ROUTER_API_KEY")


@cli.command("dev-key")
def dev_key(key_file: Path, client_id: str) -> None:
    """For `make up`: print a development operations client's key, kept in KEY_FILE."""

    async def register(connection) -> str:
        await add_client(connection, OperationsClient(client_id, client_id), now=SystemClock().now())
        return client_id

    typer.echo(_run(lambda connection: kept_key(connection, key_file, register)))


if __name__ == "__main__":
    cli()
