"""`python -m services.compliance.entrypoints.manage`: gateway clients (partner agencies, operations, a police
force's systems) and their API keys, and the first accounts of the people who use the web pages. Keys are shown
once; only their hash is stored, as only a password's Argon2 hash is."""

from __future__ import annotations

import functools
import secrets
import uuid
from pathlib import Path

import typer

from platform_plumbing.api_key_cli import EXPIRES_IN_DAYS, first_key, kept_key, key_cli, print_first_key, run_in_schema
from platform_plumbing.api_keys import operator
from platform_plumbing.clock import SystemClock
from services.compliance.adapters.gateway_clients import GatewayClient, add_client
from services.compliance.bootstrap import TABLES, context_of
from services.compliance.domain.people import Person, Role
from services.compliance.service_layer import accounts
from services.compliance.service_layer.unit_of_work import UnitOfWork
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


def _command_line() -> Person:
    """Whoever runs this command, as the operations person the account's audit entry names."""
    return Person(uuid.UUID(int=0), f"{operator()}@command-line", operator(), Role.OPERATIONS, None)


def _add_people(wanted: list[tuple[str, str, Role, str | None]], password: str) -> list[str]:
    """Add the accounts of `wanted` (email, name, role, agency) that do not exist yet; their emails."""
    settings = ComplianceSettings()
    context = context_of(settings)

    async def add(connection) -> list[str]:
        added = []
        async with UnitOfWork(connection, context) as uow:
            for email, name, role, agency in wanted:
                if await uow.people.with_password(email) is None:
                    await accounts.add_person(
                        _command_line(), email=email, name=name, role=role, agency_id=agency, password=password, uow=uow
                    )
                    added.append(email)
        return added

    return _run(add)


@cli.command("add-person")
def add_person(
    email: str, name: str, role: Role, agency_id: str = typer.Option("", help="a caseworker's or admin's")
) -> None:
    """Create an account for the web pages (the first operations account, say; later ones are added from the
    /people page), with a password typed at the prompt."""
    password = typer.prompt("Password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
    if not _add_people([(email, name, role, agency_id or None)], password):
        raise typer.BadParameter(f"an account for {email} exists already")
    typer.echo(f"account created for {email}")


DEV_PEOPLE_DOMAIN = "example.org"


@cli.command("dev-people")
def dev_people(password_file: Path, agencies: list[str]) -> None:
    """For `make up`: development accounts (a caseworker and an administrator per agency in AGENCIES, the diversion
    team, operations) sharing one password kept in PASSWORD_FILE; prints the password."""
    if not password_file.exists():
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(secrets.token_urlsafe(12))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    wanted = [
        *(
            (f"{who}@{agency}.{DEV_PEOPLE_DOMAIN}", f"{who.title()} at {agency}", role, agency)
            for agency in agencies
            for who, role in (("caseworker", Role.CASEWORKER), ("admin", Role.AGENCY_ADMIN))
        ),
        (f"duty@diversion-team.{DEV_PEOPLE_DOMAIN}", "Duty officer", Role.DIVERSION_TEAM, None),
        (f"operator@operations.{DEV_PEOPLE_DOMAIN}", "Operator", Role.OPERATIONS, None),
    ]
    _add_people(wanted, password)
    typer.echo(password)


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
