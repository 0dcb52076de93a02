"""Sustained, open-loop load: the bench's judge of throughput and latency.

Decisions go out at their *intended* times (n / rate after the start), whatever the platform does, and each
latency is counted from that intended time, so a sender held up by a slow platform cannot hide latency
(no coordinated omission). Each agency answers a referral as soon as it sees it, while decisions still
arrive, so every hop is loaded at once. The first `warm_up` seconds are discarded; the cases intended in the
next `measure` seconds are the ones measured. The latencies are per hop, from the records' own timestamps:
decision (intended) → case opened → referral issued, and agency update → case outcome.

A rate is **sustained** when the platform keeps up end to end: at the end of the measured window, fewer than
`max_backlog_seconds` of the offered cases are still without their outcome (decision → case opened →
referral issued → the agency's completion → the case's outcome from compliance), so a hop that falls behind
on any leg, not only on the way to the referral, fails the rate. `search` finds the highest such rate by
doubling and then bisecting; that rate is the throughput figure.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from benchmarks.load import FORCE, decision_record, percentiles
from benchmarks.outside import Outside
from platform_plumbing.kafka_clients import KafkaAccess, KafkaLogins
from schemas.commands import InterventionCompleted
from schemas.envelope import decode, encode
from schemas.registry import EVENT_TYPES
from schemas.topics import CASES, COMPLIANCE, REFERRALS
from services.operations.kafka_views import read_records


@dataclass
class Timeline:
    """What happened to each case, in wall-clock milliseconds: when its decision was meant to go, and when
    each record about it was written."""

    intended: dict[str, int] = field(default_factory=dict)  # police reference -> ms
    opened: dict[str, tuple[str, int]] = field(default_factory=dict)  # case id -> (police reference, ms)
    issued: dict[str, int] = field(default_factory=dict)  # case id -> first referral's ms
    updated: dict[str, int] = field(default_factory=dict)  # case id -> ms its completion was sent
    outcome: dict[str, int] = field(default_factory=dict)  # case id -> ms of its first case.changed


@dataclass(frozen=True)
class RateResult:
    offered_per_s: float
    measured_cases: int
    backlog_at_end: int
    """Measured cases still without a referral when the measured window closed."""
    sustained: bool
    decision_to_opened_ms: dict[str, float]
    opened_to_referral_ms: dict[str, float]
    decision_to_referral_ms: dict[str, float]
    update_to_outcome_ms: dict[str, float]

    def report(self) -> dict:
        return {
            "offered_cases_per_s": self.offered_per_s,
            "measured_cases": self.measured_cases,
            "backlog_at_end": self.backlog_at_end,
            "sustained": self.sustained,
            "decision_to_case_opened_ms": self.decision_to_opened_ms,
            "case_opened_to_referral_ms": self.opened_to_referral_ms,
            "decision_to_referral_ms": self.decision_to_referral_ms,
            "update_to_outcome_ms": self.update_to_outcome_ms,
        }


async def offer(
    logins: KafkaLogins,
    prefix: str,
    *,
    run_id: str,
    rate: float,
    warm_up: float = 10,
    measure: float = 60,
    max_backlog_seconds: float = 2,
    drain: float = 60,
) -> RateResult:
    """Offer `rate` decisions a second for `warm_up + measure` seconds; measure the cases of the window."""
    timeline = Timeline()
    outside = Outside(logins, prefix)
    answering: set[asyncio.Task] = set()

    def answer(case_id: str, referral_id, agency: str, need: str) -> None:
        task = asyncio.create_task(_complete(outside, timeline, case_id, referral_id, agency, need))
        answering.add(task)
        task.add_done_callback(answering.discard)

    watcher = asyncio.create_task(_watch(logins.admin, prefix, timeline, answer, since_ms=_now_ms()))
    try:
        start = time.time() + 1.0
        total = int(rate * (warm_up + measure))
        window = (start + warm_up, start + warm_up + measure)
        for n in range(total):
            intended = start + n / rate
            await asyncio.sleep(max(intended - time.time(), 0))
            reference = f"13SU{run_id.upper()}{n:07d}"
            timeline.intended[reference] = int(intended * 1000)
            record = decision_record(reference, f"sus-{run_id}-{n:07d}")
            await outside.as_police(FORCE, record.value, key=record.key, headers=record.headers)
        await asyncio.sleep(max(window[1] - time.time(), 0))
        measured = {ref for ref, ms in timeline.intended.items() if window[0] * 1000 <= ms < window[1] * 1000}
        backlog = len(measured) - sum(
            1 for c, (ref, _) in timeline.opened.items() if ref in measured and c in timeline.outcome
        )
        await _until(lambda: _finished(timeline, set(timeline.intended)), drain)  # the next rate starts idle
        return _result(rate, timeline, measured, backlog, backlog < rate * max_backlog_seconds)
    finally:
        watcher.cancel()
        for task in list(answering):
            task.cancel()
        await outside.stop()


async def search(
    run_at: Callable[[float], Awaitable[RateResult]], *, start: float = 25, ceiling: float = 2000, steps: int = 3
) -> tuple[float, list[RateResult]]:
    """The highest sustained rate: doubling from `start` until one is not sustained, then `steps` bisections.
    Returns it (0 if even `start` is not) and every rate tried, in order."""
    tried: list[RateResult] = []
    low, high = 0.0, None
    rate = start
    while rate <= ceiling:
        result = await run_at(rate)
        tried.append(result)
        if not result.sustained:
            high = rate
            break
        low, rate = rate, rate * 2
    for _ in range(steps if high is not None and low > 0 else 0):
        middle = round((low + high) / 2)
        result = await run_at(middle)
        tried.append(result)
        low, high = (middle, high) if result.sustained else (low, middle)
    return low, tried


async def _complete(outside: Outside, timeline: Timeline, case_id: str, referral_id, agency: str, need: str) -> None:
    update = InterventionCompleted(
        case_id=case_id,
        referral_id=referral_id,
        agency_id=agency,
        occurred_at=datetime.now(UTC),
        goals=[{"need": need, "goal": "done", "outcome": "achieved"}],
    )
    record = encode(update, event_id=str(uuid.uuid4()), source=f"/bench/{agency}", time=datetime.now(UTC), key=case_id)
    timeline.updated.setdefault(case_id, _now_ms())
    await outside.as_agency(agency, record.value, key=record.key, headers=record.headers)


async def _watch(kafka: KafkaAccess, prefix: str, timeline: Timeline, answer, *, since_ms: int) -> None:
    topics = [prefix + t.name for t in (CASES, REFERRALS, COMPLIANCE)]
    async for record in read_records(kafka, *topics, follow=True, idle_ms=50):
        if record.timestamp < since_ms:
            continue
        attributes, event = decode(record.headers, record.value, EVENT_TYPES)
        kind, case_id = attributes.type, str(getattr(event, "case_id", ""))
        if kind.endswith("case.opened.v1"):
            timeline.opened.setdefault(case_id, (event.police_reference, record.timestamp))
        elif kind.endswith("referral.issued.v1") and case_id not in timeline.issued:
            timeline.issued[case_id] = record.timestamp
            answer(case_id, event.referral_id, event.agency_id, event.needs[0].category)
        elif kind.endswith("case.changed.v1"):
            timeline.outcome.setdefault(case_id, record.timestamp)


def _finished(timeline: Timeline, measured: set[str]) -> bool:
    cases = [c for c, (ref, _) in timeline.opened.items() if ref in measured]
    return len(cases) == len(measured) and all(c in timeline.outcome for c in cases)


def _result(rate: float, timeline: Timeline, measured: set[str], backlog: int, sustained: bool) -> RateResult:
    cases = {c: (ref, ms) for c, (ref, ms) in timeline.opened.items() if ref in measured}
    to_opened = [ms - timeline.intended[ref] for ref, ms in cases.values()]
    to_referral = [timeline.issued[c] - ms for c, (_, ms) in cases.items() if c in timeline.issued]
    whole = [timeline.issued[c] - timeline.intended[ref] for c, (ref, _) in cases.items() if c in timeline.issued]
    to_outcome = [
        timeline.outcome[c] - timeline.updated[c] for c in cases if c in timeline.outcome and c in timeline.updated
    ]
    return RateResult(
        rate,
        len(measured),
        backlog,
        sustained,
        percentiles(to_opened),
        percentiles(to_referral),
        percentiles(whole),
        percentiles(to_outcome),
    )


async def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)


def _now_ms() -> int:
    return int(time.time() * 1000)
