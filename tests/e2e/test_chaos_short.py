"""The short chaos run inside `make test`: `make chaos`'s plan at 400 cases.

A broker, one replica of each service and PostgreSQL are killed while decisions flow; one
message in ten is delivered again and late, decisions arrive shuffled, poison goes in. Nothing
may be lost, doubled, stalled or left out of the dead-letter topic. The seed is random and
named in any failure, so `make chaos ARGS='--seed N --cases 400'` replays it.
"""

from __future__ import annotations

import random

import pytest

from chaos.plan import make_plan
from chaos.run import run_chaos

pytestmark = pytest.mark.cluster


async def test_nothing_is_lost_or_doubled_when_every_part_is_killed_once(cluster, tmp_path):
    seed = random.randrange(1_000_000)
    plan = make_plan(seed, cases=400)

    verdict = await run_chaos(plan, logs=tmp_path, patience=120, timeout=600)

    assert verdict.passed, f"seed {seed}: {verdict.failures}; figures {verdict.figures}; logs in {tmp_path}"
    assert verdict.figures["outcomes_out"] == 400
    assert verdict.figures["dead_letters"] == verdict.figures["poison_in"] == len(plan.poisons)
    assert set(verdict.figures["recovery_s"]) == {fault.name for fault in plan.faults}
