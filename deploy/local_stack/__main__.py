"""`python -m deploy.local_stack up|down|clean|status [--cluster]` — what `make up` and friends run.

`up` prints the connection settings as `KEY=value` lines (and writes them to `.runtime/stack.env`,
readable by its owner only: they hold the development credentials) so that a shell, a test run or a
service can pick them up.
"""

from __future__ import annotations

import argparse
import sys

from deploy.local_stack import fake_notify, kafka, keys, postgres, services, tls
from deploy.local_stack.parties import directory
from deploy.local_stack.runtime import RUNTIME_DIR, StackError, write_private
from platform_plumbing.kafka_acls import agency_principal, police_principal, victim_contact_principal

KAFKA_PRINCIPALS = {
    "INTAKE": "intake",
    "ROUTER": "referral-router",
    "COMPLIANCE": "compliance",
    "OPERATIONS": "operations",
}
"""The settings prefix of each service (and the operations tools) -> its Kafka principal."""


def up(topology: kafka.KafkaTopology) -> dict[str, str]:
    """Kafka (with every principal, ACL and topic) and PostgreSQL (with every role); returns the settings
    that reach them, each part as itself."""
    kafka.start(topology)
    postgres.start()
    parties = directory()
    kafka.provision(topology, parties)
    return {
        "KAFKA_BOOTSTRAP_SERVERS": topology.bootstrap_servers,
        "KAFKA_CA_FILE": str(tls.CA_FILE),
        "PERSONAL_DATA_KEK_URI": keys.ensure_kek(),
        **_kafka_logins(topology, parties),
        **postgres.logins().stack_settings(),
    }


def _kafka_logins(topology: kafka.KafkaTopology, parties) -> dict[str, str]:
    """Each service's and the operations tools' Kafka login, the police's and the victim-contact role's for the
    force, and the agencies' whose development keys `make up` issues."""
    logins = {}
    named = {
        **KAFKA_PRINCIPALS,
        "POLICE": police_principal(parties.forces[0]),
        "VICTIM_CONTACT": victim_contact_principal(parties.forces[0]),
        **{f"AGENCY_{services.env_name(agency)}": agency_principal(agency) for agency in services.DEV_AGENCIES},
    }
    stack = kafka.logins(topology)
    for prefix, principal in named.items():
        login = stack.of(principal)
        logins[f"{prefix}_KAFKA_USERNAME"] = login.username
        logins[f"{prefix}_KAFKA_PASSWORD"] = login.password
    return logins


def up_with_services(
    topology: kafka.KafkaTopology, clock: dict[str, str] | None = None, *, restart: bool = False
) -> dict[str, str]:
    """Everything `make up` starts: the infrastructure, then the platform's services.

    `clock` (the demo's accelerated clock settings) restarts the services on that clock; `restart` restarts them
    on the real one (the demo's end: a clock left racing would expire every dead letter's key in the shared
    keyring and judge real deadlines years early).
    """
    settings = up(topology)
    if clock or restart:
        for service in (services.DASHBOARD, *services.SERVICES):
            services.stop(service)
    services.start(services.FAKE_NOTIFY, {})
    settings[services.FAKE_NOTIFY.url_key] = services.FAKE_NOTIFY.url
    settings["NOTIFY_API_KEY"] = fake_notify.DEVELOPMENT_KEY
    # Keys and accounts first (the management commands migrate the schemas themselves): compliance starts with the
    # force's key, with which the diversion team's pages record a police decision at intake, and an operations key
    # at the router (started before it), with which they place by hand needs no agency could take.
    settings.update(services.dev_keys(settings))
    settings.update(services.dev_people(settings))
    settings[services.DASHBOARD.url_key] = services.DASHBOARD.url  # where the workspace signs its people in
    for service in services.SERVICES:
        services.start(service, {**settings, **(clock or {})})
        settings[service.url_key] = service.url
    services.start(services.DASHBOARD, settings)
    write_private(RUNTIME_DIR / "stack.env", "".join(f"{k}={v}\n" for k, v in settings.items()))
    return settings


def _where_to_look(settings: dict[str, str]) -> str:
    """For a person reading the terminal: the pages, and whom to sign in as (the lines above are for programs)."""
    people = "\n".join(f"    {email}" for email in settings["DEV_PEOPLE"].split(","))
    return (
        f"\nAgency portal and accounts: {settings['PORTAL_URL']}\n"
        f"  sign in as any of these development accounts, password {settings['DEV_PEOPLE_PASSWORD']}:\n{people}\n"
        f"Diversion team's workspace: {settings[services.COMPLIANCE.url_key]}/team, reports at /team/reports\n"
        f"Operations dashboard: {settings[services.DASHBOARD.url_key]}"
        " (an account signs in through the workspace, or use the OPERATIONS_API_KEY above)\n"
        f"Agency API documentation: {settings[services.COMPLIANCE.url_key]}/docs\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_stack", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "clean", "status"))
    parser.add_argument("--cluster", action="store_true", help="the 3-broker KRaft cluster instead of one broker")
    args = parser.parse_args(argv)
    topology = kafka.CLUSTER if args.cluster else kafka.SINGLE
    try:
        if args.command == "up":
            settings = up_with_services(topology)
            for key, value in settings.items():
                print(f"{key}={value}")
            print(_where_to_look(settings), file=sys.stderr)
        elif args.command == "down":
            for service in (services.DASHBOARD, *services.SERVICES, services.FAKE_NOTIFY):
                services.stop(service)
            kafka.stop(topology)
            postgres.stop()
        elif args.command == "clean":
            for service in (services.DASHBOARD, *services.SERVICES, services.FAKE_NOTIFY):
                services.stop(service)
            kafka.clean(topology)
            postgres.clean()
        else:
            print(f"kafka ({topology.name}): {'running' if kafka.is_running(topology) else 'stopped'}")
            print(f"postgres: {'running' if postgres.is_running() else 'stopped'}")
            for service in (*services.SERVICES, services.DASHBOARD, services.FAKE_NOTIFY):
                print(f"{service.name}: {'running' if services.is_running(service) else 'stopped'}")
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
