"""Killing and restarting parts of the running platform, and timing how long it takes to recover."""

from __future__ import annotations

import asyncio
import time

from chaos.fleet import Fleet
from chaos.observe import positions_when_possible
from chaos.plan import Fault
from chaos.verdict import FaultReport
from deploy.local_stack import kafka as local_kafka
from deploy.local_stack import postgres
from platform_plumbing.kafka_clients import KafkaAccess
from services.operations.kafka_views import GroupWatch

BACKLOG = 20
"""Records the part must have waiting before it is killed: then it is surely mid-batch."""


async def inject(fault: Fault, fleet: Fleet, *, kafka: KafkaAccess, patience: float) -> FaultReport:
    """Kill the part `fault` names, leave it dead for a while, restart it, and wait for the platform to move.

    Recovered means: every partition that had work waiting when the part died has been committed
    past that point (or drained). Not within `patience` seconds: a stall, reported as None.
    """
    groups = fleet.groups(fault.target.split("#")[0]) if fault.kind == "service" else fleet.groups()
    backlog = await _busy(groups, kafka)
    before = await positions_when_possible(kafka, fleet.groups())
    killed_at = time.monotonic()
    await asyncio.to_thread(_kill, fault, fleet)
    await asyncio.sleep(fault.down_seconds)
    await _restart(fault, fleet)
    waiting = {key: done for key, (done, end) in (before or {}).items() if done < end}
    while time.monotonic() - killed_at < patience:
        now = await positions_when_possible(kafka, fleet.groups())
        if now is not None and all(now[key][0] > done or now[key][0] >= now[key][1] for key, done in waiting.items()):
            return FaultReport(fault.name, round(time.monotonic() - killed_at, 1), backlog)
        await asyncio.sleep(0.5)
    return FaultReport(fault.name, None, backlog)


async def _busy(groups: dict[str, list[str]], kafka: KafkaAccess, *, timeout: float = 30) -> int:
    """Wait until `groups` have at least `BACKLOG` records to work through, so the kill lands mid-batch;
    returns the backlog they had (lower only if none built up within `timeout`)."""
    deadline = time.monotonic() + timeout
    waiting = 0
    async with GroupWatch(kafka, groups) as watch:
        while time.monotonic() < deadline:
            waiting = sum(end - done for done, end in (await watch.positions()).values())
            if waiting >= BACKLOG:
                break
            await asyncio.sleep(0.02)
    return waiting


def _kill(fault: Fault, fleet: Fleet) -> None:
    if fault.kind == "broker":
        local_kafka.stop_node(local_kafka.CLUSTER, int(fault.target), hard=True)
    elif fault.kind == "service":
        fleet.replicas[fault.target].kill()
    else:
        postgres.stop(mode="immediate")


async def _restart(fault: Fault, fleet: Fleet) -> None:
    if fault.kind == "broker":
        await asyncio.to_thread(local_kafka.start_node, local_kafka.CLUSTER, int(fault.target))
    elif fault.kind == "service":
        await fleet.replicas[fault.target].start(timeout=120)
    else:
        await asyncio.to_thread(postgres.start)
