"""The bench's search for the highest sustained rate: doubling until a rate is not sustained, then bisecting."""

from __future__ import annotations

import asyncio

from benchmarks import sustained
from benchmarks.sustained import RateResult, search
from services.operations.kafka_views import PartitionLag

NO_LATENCY = {"p50": 0.0, "p95": 0.0, "p99": 0.0}


def _platform_that_keeps_up_to(capacity: float):
    offered: list[float] = []

    async def run_at(rate: float) -> RateResult:
        offered.append(rate)
        kept_up = rate <= capacity
        return RateResult(rate, 100, 0 if kept_up else 50, kept_up, *(NO_LATENCY,) * 4)

    return run_at, offered


async def test_it_doubles_until_a_rate_is_not_sustained_then_bisects_below_it():
    run_at, offered = _platform_that_keeps_up_to(137)

    best, tried = await search(run_at, start=25, steps=3)

    assert offered == [25, 50, 100, 200, 150, 125, 138]
    assert best == 125 and [r.sustained for r in tried] == [True, True, True, False, False, True, False]


async def test_a_platform_that_cannot_keep_up_with_the_first_rate_sustains_nothing():
    run_at, offered = _platform_that_keeps_up_to(10)

    best, _ = await search(run_at, start=25)

    assert (best, offered) == (0.0, [25])


async def test_a_rate_that_could_not_start_idle_ends_the_search_without_judging_the_platform():
    offered: list[float] = []

    async def run_at(rate: float) -> RateResult:
        offered.append(rate)
        if rate == 150:  # the previous rate's backlog was still being read
            return RateResult(rate, 0, 0, False, *(NO_LATENCY,) * 4, started_behind=19_459)
        kept_up = rate <= 137
        return RateResult(rate, 100, 0 if kept_up else 50, kept_up, *(NO_LATENCY,) * 4)

    best, tried = await search(run_at, start=25, steps=3)

    assert offered == [25, 50, 100, 200, 150]
    assert best == 100 and [r.valid for r in tried] == [True, True, True, True, False]
    assert tried[-1].report()["valid"] is False and tried[-1].report()["started_behind"] == 19_459


async def test_a_rate_waits_for_the_services_to_read_the_backlog_before_it_starts(monkeypatch):
    lags = iter([[_lag(900)], [_lag(40), _lag(2)], []])
    monkeypatch.setattr(sustained, "consumer_lag", lambda kafka, prefix: _returning(next(lags)))
    monkeypatch.setattr(sustained, "IDLE_POLL_SECONDS", 0)

    assert await sustained._until_idle(None, "bench.", timeout=60) == 0
    assert next(lags, "all read") == "all read"


async def test_a_platform_still_behind_when_the_wait_runs_out_says_how_far(monkeypatch):
    monkeypatch.setattr(sustained, "consumer_lag", lambda kafka, prefix: _returning([_lag(700), _lag(12)]))
    monkeypatch.setattr(sustained, "IDLE_POLL_SECONDS", 0)

    assert await sustained._until_idle(None, "bench.", timeout=0) == 712


async def test_draining_ends_when_every_case_offered_has_its_outcome():
    timeline = sustained.Timeline(intended={"R1": 0}, opened={"c1": ("R1", 5)}, outcome={"c1": 9})

    await asyncio.wait_for(sustained._drain(timeline, stalled=60, at_most=60), timeout=5)


async def test_draining_gives_up_when_nothing_moves_but_not_while_cases_still_progress():
    timeline = sustained.Timeline(intended={"R1": 0, "R2": 0})

    async def progressing():
        for n in range(6):
            await asyncio.sleep(0.3)
            timeline.opened[f"c{n}"] = ("elsewhere", n)

    feeding = asyncio.create_task(progressing())
    started = asyncio.get_running_loop().time()
    await sustained._drain(timeline, stalled=1.0, at_most=60)
    drained_for = asyncio.get_running_loop().time() - started
    await feeding

    assert drained_for >= 2.5  # kept going while cases moved (1.8 s), then 1 s still


def _lag(behind: int) -> PartitionLag:
    return PartitionLag("intake", "bench.diversion.decisions.wy", 0, 100, 100 + behind)


async def _returning(value):
    return value
