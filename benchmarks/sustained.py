"""Sustained, open-loop load: the bench's judge of throughput and latency.

Decisions go out at their *intended* times (n / rate after the start), whatever the platform does, and each
latency is counted from that intended time, so a sender held up by a slow platform cannot hide latency
(no coordinated omission). Each agency answers a referral as soon as compliance has issued it to it (what the
agency reads on its own topic), while decisions still arrive, so every hop is loaded at once; on one referral in
`CONCERN_EVERY` it first raises a safeguarding concern.
The first `warm_up` seconds are discarded; the cases intended in the next `measure` seconds are the ones measured.
The latencies are per hop, from the records' own timestamps: decision (intended) → case opened → referral issued,
agency update → case outcome, and concern raised → on the force's concerns topic (the police's).

A rate is **sustained** when the platform keeps up end to end: at the end of the measured window, fewer than
`max_backlog_seconds` of the offered cases are still without their outcome (decision → case opened →
referral issued → the agency's completion → the case's outcome from compliance), so a hop that falls behind
on any leg, not only on the way to the referral, fails the rate. `search` finds the highest such rate by
doubling and then bisecting; that rate is the throughput figure.

Each rate must start on an idle platform, or it measures the previous rate's backlog instead of its own.
So after its window a rate drains — still answering referrals — until all its cases have their outcome or
nothing has moved for a while, and the next one first waits until the services' consumer groups have read
everything on the run's topics. A rate that still finds them behind is **invalid** (`started_behind`), not
"not sustained", and the search stops there rather than bisect on a figure that is not the rate's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from benchmarks.load import FORCE, agency_work, decision_record, percentiles
from benchmarks.outside import Outside
from platform_plumbing.kafka_clients import KafkaAccess, KafkaLogins
from schemas.envelope import decode, encode
from schemas.registry import EVENT_TYPES
from schemas.topics import CASES, COMPLIANCE, CONCERNS, REFERRALS
from services.operations.kafka_views import consumer_lag, read_records

IDLE_POLL_SECONDS = 2
CONCERN_EVERY = 50
"""One referral in this many gets a safeguarding concern, raised while the load runs."""


@dataclass
class Timeline:
    """What happened to each case, in wall-clock milliseconds: when its decision was meant to go, and when
    each record about it was written."""

    intended: dict[str, int] = field(default_factory=dict)  # police reference -> ms
    opened: dict[str, tuple[str, int]] = field(default_factory=dict)  # case id -> (police reference, ms)
    issued: dict[str, int] = field(default_factory=dict)  # case id -> first referral's ms
    updated: dict[str, int] = field(default_factory=dict)  # case id -> ms its completion was sent
    outcome: dict[str, int] = field(default_factory=dict)  # case id -> ms of its first case.changed
    concern_raised: dict[str, int] = field(default_factory=dict)  # concern id -> ms the agency sent it
    concern_told: dict[str, int] = field(default_factory=dict)  # concern id -> ms it reached the force's topic
    answered: set[str] = field(default_factory=set)
    """Cases whose agency has been sent its work: when compliance issued the referral to it (what the agency sees on
    its own topic), not when the router placed it, which compliance may not have read yet."""


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
    concern_to_police_ms: dict[str, float] = field(default_factory=dict)
    concerns: int = 0
    """Concerns raised during the rate (each one measured from its sending to the force's topic)."""
    started_behind: int = 0
    """Records the services' consumer groups had still to read when the rate was due to start; the rate was
    not offered unless this is 0."""

    @property
    def valid(self) -> bool:
        return self.started_behind == 0

    def report(self) -> dict:
        return {
            "offered_cases_per_s": self.offered_per_s,
            "measured_cases": self.measured_cases,
            "backlog_at_end": self.backlog_at_end,
            "sustained": self.sustained,
            "valid": self.valid,
            "started_behind": self.started_behind,
            "decision_to_case_opened_ms": self.decision_to_opened_ms,
            "case_opened_to_referral_ms": self.opened_to_referral_ms,
            "decision_to_referral_ms": self.decision_to_referral_ms,
            "update_to_outcome_ms": self.update_to_outcome_ms,
            "concerns_raised": self.concerns,
            "concern_to_police_ms": self.concern_to_police_ms,
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
    idle_within: float = 300,
    drain_stalled: float = 30,
    drain_at_most: float = 900,
) -> RateResult:
    """Offer `rate` decisions a second for `warm_up + measure` seconds; measure the cases of the window.

    Waits first (up to `idle_within` seconds) for the platform to be idle; afterwards drains until every
    case offered has its outcome, nothing has moved for `drain_stalled` seconds, or `drain_at_most`."""
    behind = await _until_idle(logins.admin, prefix, idle_within)
    if behind:
        return _result(rate, Timeline(), set(), 0, False, started_behind=behind)
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
        await _drain(timeline, stalled=drain_stalled, at_most=drain_at_most)
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
    Returns it (0 if even `start` is not) and every rate tried, in order. A rate that could not start idle
    (invalid) ends the search: it says nothing about the platform's capacity at that rate."""
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
    for _ in range(steps if high is not None and low > 0 and result.valid else 0):
        middle = round((low + high) / 2)
        result = await run_at(middle)
        tried.append(result)
        if not result.valid:
            break
        low, high = (middle, high) if result.sustained else (low, middle)
    return low, tried


async def _complete(outside: Outside, timeline: Timeline, case_id: str, referral_id, agency: str, need: str) -> None:
    """The agency's whole work on the referral, as one producer sends it (in order, on the case's partition)."""
    ids = {"case_id": case_id, "referral_id": referral_id, "agency_id": agency, "occurred_at": datetime.now(UTC)}
    concern = uuid.UUID(str(case_id)).int % CONCERN_EVERY == 0
    updates = agency_work(ids, need, concern=concern)
    if concern:
        timeline.concern_raised[str(uuid.uuid5(uuid.NAMESPACE_URL, f"concern/{referral_id}"))] = _now_ms()
    timeline.updated.setdefault(case_id, _now_ms())
    for update in updates:
        record = encode(
            update, event_id=str(uuid.uuid4()), source=f"/bench/{agency}", time=datetime.now(UTC), key=case_id
        )
        await outside.as_agency(agency, record.value, key=record.key, headers=record.headers)


async def _watch(kafka: KafkaAccess, prefix: str, timeline: Timeline, answer, *, since_ms: int) -> None:
    topics = [prefix + t.name for t in (CASES, REFERRALS, COMPLIANCE)] + [prefix + CONCERNS.named(FORCE)]
    async for record in read_records(kafka, *topics, follow=True, idle_ms=50):
        if record.timestamp < since_ms:
            continue
        attributes, event = decode(record.headers, record.value, EVENT_TYPES)
        kind, case_id = attributes.type, str(getattr(event, "case_id", ""))
        if kind.endswith("concern.recorded.v1"):
            timeline.concern_told.setdefault(str(event.concern_id), record.timestamp)
        elif kind.endswith("case.opened.v1"):
            timeline.opened.setdefault(case_id, (event.police_reference, record.timestamp))
        elif kind.endswith("referral.issued.v1"):
            timeline.issued.setdefault(case_id, record.timestamp)
        elif kind.endswith("referral.changed.v1") and event.status == "issued" and case_id not in timeline.answered:
            timeline.answered.add(case_id)
            answer(case_id, event.referral_id, event.agency_id, event.needs[0])
        elif kind.endswith("case.changed.v1"):
            timeline.outcome.setdefault(case_id, record.timestamp)


def _finished(timeline: Timeline, measured: set[str]) -> bool:
    cases = [c for c, (ref, _) in timeline.opened.items() if ref in measured]
    return len(cases) == len(measured) and all(c in timeline.outcome for c in cases)


def _result(
    rate: float, timeline: Timeline, measured: set[str], backlog: int, sustained: bool, *, started_behind: int = 0
) -> RateResult:
    cases = {c: (ref, ms) for c, (ref, ms) in timeline.opened.items() if ref in measured}
    to_opened = [ms - timeline.intended[ref] for ref, ms in cases.values()]
    to_referral = [timeline.issued[c] - ms for c, (_, ms) in cases.items() if c in timeline.issued]
    whole = [timeline.issued[c] - timeline.intended[ref] for c, (ref, _) in cases.items() if c in timeline.issued]
    to_outcome = [
        timeline.outcome[c] - timeline.updated[c] for c in cases if c in timeline.outcome and c in timeline.updated
    ]
    to_police = [
        timeline.concern_told[c] - ms for c, ms in timeline.concern_raised.items() if c in timeline.concern_told
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
        percentiles(to_police),
        len(timeline.concern_raised),
        started_behind,
    )


async def _drain(timeline: Timeline, *, stalled: float, at_most: float) -> None:
    """Until every case offered has its outcome, or nothing has moved for `stalled` seconds (a case lost or
    refused would otherwise hold the bench for `at_most`)."""
    every = set(timeline.intended)
    deadline = time.monotonic() + at_most
    seen, moved = _progress(timeline), time.monotonic()
    while not _finished(timeline, every) and time.monotonic() < min(deadline, moved + stalled):
        await asyncio.sleep(0.5)
        if (now := _progress(timeline)) != seen:
            seen, moved = now, time.monotonic()


def _progress(timeline: Timeline) -> tuple[int, ...]:
    return len(timeline.opened), len(timeline.issued), len(timeline.outcome)


async def _until_idle(kafka: KafkaAccess, prefix: str, timeout: float) -> int:
    """Wait until the consumer groups on the run's topics have read everything; what they still had to read
    when `timeout` ran out (0: idle)."""
    deadline = time.monotonic() + timeout
    while True:
        behind = sum(lag.lag for lag in await consumer_lag(kafka, prefix))
        if not behind or time.monotonic() >= deadline:
            return behind
        await asyncio.sleep(IDLE_POLL_SECONDS)


def _now_ms() -> int:
    return int(time.time() * 1000)
