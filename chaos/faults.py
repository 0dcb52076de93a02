"""Killing and restarting parts of the running platform, and timing how long it takes to recover."""

from __future__ import annotations

import asyncio
import time

from chaos.fleet import Fleet
from chaos.observe import positions_when_possible
from chaos.plan import Fault
from chaos.verdict import FaultReport
from deploy.local_stack import kafka, postgres


async def inject(
    fault: Fault, fleet: Fleet, groups: dict[str, list[str]], *, bootstrap: str, patience: float
) -> FaultReport:
    """Kill the part `fault` names, leave it dead for a while, restart it, and wait for the platform to move.

    Recovered means: every partition that had work waiting when the part died has been committed
    past that point (or drained). Not within `patience` seconds: a stall, reported as None.
    """
    before = await positions_when_possible(bootstrap, groups)
    killed_at = time.monotonic()
    await asyncio.to_thread(_kill, fault, fleet)
    await asyncio.sleep(fault.down_seconds)
    await _restart(fault, fleet)
    waiting = {key: done for key, (done, end) in (before or {}).items() if done < end}
    while time.monotonic() - killed_at < patience:
        now = await positions_when_possible(bootstrap, groups)
        if now is not None and all(now[key][0] > done or now[key][0] >= now[key][1] for key, done in waiting.items()):
            return FaultReport(_name(fault), round(time.monotonic() - killed_at, 1))
        await asyncio.sleep(0.5)
    return FaultReport(_name(fault), None)


def _kill(fault: Fault, fleet: Fleet) -> None:
    if fault.kind == "broker":
        kafka.stop_node(kafka.CLUSTER, int(fault.target), hard=True)
    elif fault.kind == "service":
        fleet.replicas[fault.target].kill()
    else:
        postgres.stop(mode="immediate")


async def _restart(fault: Fault, fleet: Fleet) -> None:
    if fault.kind == "broker":
        await asyncio.to_thread(kafka.start_node, kafka.CLUSTER, int(fault.target))
    elif fault.kind == "service":
        await fleet.replicas[fault.target].start(timeout=120)
    else:
        await asyncio.to_thread(postgres.start)


def _name(fault: Fault) -> str:
    return f"{fault.kind} {fault.target}" if fault.kind != "postgres" else "postgres restart"
