"""`make chaos`: 10,000 cases through two replicas of every service on the 3-broker cluster while a
broker, each service and PostgreSQL are killed; prints the figures and exits 1 if anything was lost,
doubled, stalled or not dead-lettered. `--seed` replays a run's plan."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from chaos.plan import make_plan
from chaos.run import run_chaos

console = Console()
RESULTS = Path(__file__).resolve().parents[1] / "chaos-results"


def main(cases: int = 10_000, seed: int | None = None, timeout: float = 1800) -> None:
    """`timeout`: seconds the run may take before whatever is missing counts as lost."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the driver's clients see the faults too
    seed = seed if seed is not None else random.randrange(1_000_000)
    plan = make_plan(seed, cases)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    console.print(f"chaos run, seed {seed} (replay: make chaos ARGS='--seed {seed} --cases {cases}')")
    faults = ", ".join(fault.name for fault in plan.faults)
    with console.status(f"{cases} cases in {len(plan.waves)} waves, faults: {faults}"):
        verdict = asyncio.run(run_chaos(plan, logs=RESULTS / f"logs-{stamp}", timeout=timeout))
    table = Table(title=f"make chaos — {'PASSED' if verdict.passed else 'FAILED'}")
    table.add_column("figure")
    table.add_column("value")
    for key, value in verdict.figures.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    console.print(table)
    for failure in verdict.failures:
        console.print(f"[red]✗ {failure}[/red]")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"chaos-{stamp}.json"
    path.write_text(json.dumps({"passed": verdict.passed, "failures": verdict.failures, **verdict.figures}, indent=2))
    console.print(f"written to {path}")
    sys.exit(0 if verdict.passed else 1)


if __name__ == "__main__":
    typer.run(main)
