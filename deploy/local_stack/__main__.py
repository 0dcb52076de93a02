"""`python -m deploy.local_stack up|down|clean|status [--cluster]` — what `make up` and friends run.

`up` prints the connection settings as `KEY=value` lines (and writes them to `.runtime/stack.env`,
readable by its owner only: they hold the development credentials) so that a shell, a test run or a
service can pick them up.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from deploy.local_stack import kafka, postgres, services
from deploy.local_stack.runtime import RUNTIME_DIR, StackError, write_private
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import CATALOGUE


def up(topology: kafka.KafkaTopology) -> dict[str, str]:
    """Kafka, PostgreSQL and the catalogue's topics; returns their connection settings."""
    kafka.start(topology)
    postgres.start()
    asyncio.run(ensure_topics(topology.bootstrap_servers, CATALOGUE))
    return {"KAFKA_BOOTSTRAP_SERVERS": topology.bootstrap_servers, **postgres.logins().stack_settings()}


def up_with_services(topology: kafka.KafkaTopology, clock: dict[str, str] | None = None) -> dict[str, str]:
    """Everything `make up` starts: the infrastructure, then the platform's services.

    `clock` (the demo's accelerated clock settings) restarts the services on that clock.
    """
    settings = up(topology)
    if clock:
        for service in (services.DASHBOARD, *services.SERVICES):
            services.stop(service)
    for service in services.SERVICES:
        services.start(service, {**settings, **(clock or {})})
        settings[service.url_key] = service.url
    settings.update(services.dev_keys(settings))
    services.start(services.DASHBOARD, settings)
    settings[services.DASHBOARD.url_key] = services.DASHBOARD.url
    write_private(RUNTIME_DIR / "stack.env", "".join(f"{k}={v}\n" for k, v in settings.items()))
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_stack", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "clean", "status"))
    parser.add_argument("--cluster", action="store_true", help="the 3-broker KRaft cluster instead of one broker")
    args = parser.parse_args(argv)
    topology = kafka.CLUSTER if args.cluster else kafka.SINGLE
    try:
        if args.command == "up":
            for key, value in up_with_services(topology).items():
                print(f"{key}={value}")
        elif args.command == "down":
            for service in (services.DASHBOARD, *services.SERVICES):
                services.stop(service)
            kafka.stop(topology)
            postgres.stop()
        elif args.command == "clean":
            for service in (services.DASHBOARD, *services.SERVICES):
                services.stop(service)
            kafka.clean(topology)
            postgres.clean()
        else:
            print(f"kafka ({topology.name}): {'running' if kafka.is_running(topology) else 'stopped'}")
            print(f"postgres: {'running' if postgres.is_running() else 'stopped'}")
            for service in (*services.SERVICES, services.DASHBOARD):
                print(f"{service.name}: {'running' if services.is_running(service) else 'stopped'}")
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
