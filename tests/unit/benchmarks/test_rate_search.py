"""The bench's search for the highest sustained rate: doubling until a rate is not sustained, then bisecting."""

from __future__ import annotations

from benchmarks.sustained import RateResult, search

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
