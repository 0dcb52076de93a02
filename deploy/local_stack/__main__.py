"""`python -m deploy.local_stack up|down|clean|status [--cluster]` — what `make up` and friends run.

`up` prints the connection settings as `KEY=value` lines (and writes them to
`.runtime/stack.env`) so that a shell, a test run or a service can pick them up.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from deploy.local_stack import kafka, postgres
from deploy.local_stack.runtime import RUNTIME_DIR, StackError
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import CATALOGUE


def up(topology: kafka.KafkaTopology) -> dict[str, str]:
    kafka.start(topology)
    postgres.start()
    asyncio.run(ensure_topics(topology.bootstrap_servers, CATALOGUE))
    settings = {"KAFKA_BOOTSTRAP_SERVERS": topology.bootstrap_servers, "DATABASE_URL": postgres.database_url()}
    (RUNTIME_DIR / "stack.env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_stack", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "clean", "status"))
    parser.add_argument("--cluster", action="store_true", help="the 3-broker KRaft cluster instead of one broker")
    args = parser.parse_args(argv)
    topology = kafka.CLUSTER if args.cluster else kafka.SINGLE
    try:
        if args.command == "up":
            for key, value in up(topology).items():
                print(f"{key}={value}")
        elif args.command == "down":
            kafka.stop(topology)
            postgres.stop()
        elif args.command == "clean":
            kafka.clean(topology)
            postgres.clean()
        else:
            print(f"kafka ({topology.name}): {'running' if kafka.is_running(topology) else 'stopped'}")
            print(f"postgres: {'running' if postgres.is_running() else 'stopped'}")
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
