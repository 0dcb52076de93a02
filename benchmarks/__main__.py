"""`make bench`: N cases end to end through the real stack, against the raw ceiling of this machine.

Starts its own intake, router and compliance processes (own topics prefix and schemas, agency
capacities lifted so capacity never queues the load), runs a latency run at an offered rate and a
throughput run as fast as possible (profiled: CPU seconds per part of the stack, PostgreSQL
statements per case), then each service's hop alone on pre-filled topics, measures the raw ceiling
(Kafka's perf-test tools and a bare aiokafka consume → validate → produce hop), and prints a table
plus `bench-results/bench-<time>.json`.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from benchmarks import baseline, hops, load, profile
from deploy.local_stack import kafka, postgres
from deploy.local_stack.__main__ import up
from deploy.local_stack.parties import directory
from deploy.local_stack.processes import ServiceProcess, isolated_service, provide_topics, remove_isolated
from platform_plumbing.kafka_clients import KafkaAccess, KafkaLogins
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import Directory, Topic

console = Console()
RESULTS = Path(__file__).resolve().parents[1] / "bench-results"
SERVICES = ("intake", "router", "compliance")


def main(
    cases: int = 3000,
    rate: float = 200,
    latency_cases: int = 1000,
    hop_cases: int = 3000,
    baseline_records: int = 20_000,
) -> None:
    up(kafka.SINGLE)
    stack = Stack(kafka.logins(kafka.SINGLE), directory())
    run = uuid.uuid4().hex[:6]
    catalogue = load.lifted_catalogue()
    try:
        report = _measure(
            stack,
            run,
            catalogue,
            cases=cases,
            rate=rate,
            latency_cases=latency_cases,
            hop_cases=hop_cases,
            baseline_records=baseline_records,
        )
    finally:
        Path(catalogue).unlink(missing_ok=True)
        asyncio.run(_clean_up(stack, run))
    _print(report)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    console.print(f"written to {path}")


@dataclass(frozen=True)
class Stack:
    """The local stack as the bench uses it: every principal's login, and the forces and agencies it serves."""

    kafka: KafkaLogins
    parties: Directory


def _measure(
    stack: Stack,
    run: str,
    catalogue: str,
    *,
    cases: int,
    rate: float,
    latency_cases: int,
    hop_cases: int,
    baseline_records: int,
) -> dict:
    prefix = f"bench{run}."
    processes = asyncio.run(_start(stack, prefix, run, catalogue))
    try:
        with console.status(f"latency run: {latency_cases} cases offered at {rate:.0f}/s…"):
            latency = asyncio.run(
                load.run(
                    stack.kafka,
                    prefix,
                    run_id=f"L{run}",
                    cases=latency_cases,
                    rate=rate,
                    timeout=600,
                )
            )
        with console.status(f"throughput run: {cases} cases as fast as possible…"):
            asyncio.run(profile.reset_statements(postgres.logins().admin_url))
            cpu_before = profile.cpu_seconds()
            throughput = asyncio.run(load.run(stack.kafka, prefix, run_id=f"T{run}", cases=cases, rate=0, timeout=1200))
            cpu = profile.cpu_used_since(cpu_before)
            database = asyncio.run(profile.statements(postgres.logins().admin_url, per=cases))
        rss = {name: _peak_rss_mb(process) for name, process in processes.items()}
    finally:
        for process in processes.values():
            process.stop()
    with console.status(f"each hop alone: {hop_cases} cases' worth of input per service…"):
        hop_prefix = f"bench{run}h."
        asyncio.run(provide_topics(stack.kafka.admin, stack.parties, hop_prefix))
        hop_rates = asyncio.run(
            hops.measure(
                stack.kafka, hop_prefix, run, cases=hop_cases, catalogue=catalogue, logs=Path(tempfile.gettempdir())
            )
        )
    with console.status("raw ceiling: Kafka perf tools and a bare Python hop…"):
        ceiling = asyncio.run(_ceiling(stack.kafka.admin, prefix, baseline_records))
    return {
        "cases": cases,
        "throughput_cases_per_s": round(throughput.cases_per_s, 1),
        "throughput_events_per_s": round(throughput.events_per_s, 1),
        "latency_run": {
            "offered_cases_per_s": rate,
            "cases": latency_cases,
            "decision_to_referral_ms": latency.decision_to_referral_ms,
            "update_to_outcome_ms": latency.update_to_outcome_ms,
        },
        "throughput_run": {
            "decision_to_referral_ms": throughput.decision_to_referral_ms,
            "update_to_outcome_ms": throughput.update_to_outcome_ms,
        },
        "throughput_run_cpu_seconds": cpu,
        "throughput_run_postgres": database,
        "peak_rss_mb": rss,
        **ceiling,
        "hop_alone_records_per_s": {name: round(rate.records_per_s, 1) for name, rate in hop_rates.items()},
        "hop_vs_python_hop": {
            name: round(rate.records_per_s / ceiling["python_hop_records_per_s"], 3) for name, rate in hop_rates.items()
        },
        "end_to_end_vs_python_hop": round(throughput.cases_per_s / ceiling["python_hop_records_per_s"], 3),
    }


async def _clean_up(stack: Stack, run: str) -> None:
    """The run's topics, ACLs and schemas: the pipeline's, then the single hops'."""
    for prefix, schema in ((f"bench{run}.", "{}"), (f"bench{run}h.", "hop_{}")):
        schemas = [f"bench_{run}_" + schema.format(name) for name in SERVICES]
        await remove_isolated(stack.kafka.admin, postgres.logins().admin_url, stack.parties, prefix, schemas)


async def _start(stack: Stack, prefix: str, run: str, catalogue: str) -> dict[str, ServiceProcess]:
    await provide_topics(stack.kafka.admin, stack.parties, prefix)
    processes = {}
    for name in SERVICES:
        process = isolated_service(
            name,
            kafka=stack.kafka,
            database=postgres.logins(),
            prefix=prefix,
            schema=f"bench_{run}_{name}",
            log=Path(tempfile.gettempdir()) / f"bench-{run}-{name}.log",
            ROUTER_CATALOGUE_FILE=catalogue,
        )
        await process.start()
        processes[name] = process
    return processes


async def _ceiling(admin: KafkaAccess, prefix: str, records: int) -> dict[str, float]:
    """Kafka's perf tools and the bare hop, as the administrator (no ACL to look up), over TLS and SCRAM."""
    perf, source, sink = (
        Topic(name=name, description="", producers=(), consumers=(), carries=(), partitions=6)
        for name in ("perf-test", "hop-source", "hop-sink")
    )
    await ensure_topics(admin, [perf, source, sink], prefix=prefix)
    tools = await asyncio.to_thread(baseline.kafka_perf_tools, admin, prefix + perf.name, records * 5)
    decision = {
        **load.DECISION,
        "police_reference": "13BM0000001",
        "subject_ref": "bench-hop-000001",
        "decided_at": "2026-01-05T10:00:00+00:00",
    }
    await baseline.fill(admin, prefix + source.name, records, decision)
    hop = await baseline.python_hop(admin, prefix + source.name, prefix + sink.name, records)
    return {**tools, "python_hop_records_per_s": round(hop, 1)}


def _peak_rss_mb(process: ServiceProcess) -> float:
    status = Path(f"/proc/{process.process.pid}/status").read_text()
    return round(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024, 1)


def _print(report: dict) -> None:
    table = Table(title="make bench")
    table.add_column("figure")
    table.add_column("value")
    for key, value in report.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
