"""One load run through the real services: police decisions on Kafka → referrals → agencies'
completions on Kafka → case outcomes, timed from the records' own timestamps.

Two phases, so that each latency is timed on its own: first every decision (offered at `rate`
per second, or as fast as possible), until every referral is out; then every completion, until
every case has its outcome. Completions go out as soon as the referrals are seen, as an agency
would send them: compliance may not have read the referral yet, and holds them until it has.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from benchmarks.outside import Outside
from platform_plumbing.kafka_clients import KafkaAccess, KafkaLogins
from schemas.commands import DiversionDecision, InterventionCompleted
from schemas.envelope import decode, encode
from schemas.registry import EVENT_TYPES
from schemas.topics import CASES, COMPLIANCE, REFERRALS
from services.operations.kafka_views import read_records
from services.referral_router.settings import RouterSettings

FORCE = "west-yorkshire"
DECISION = {
    "force_id": FORCE,
    "disposal_type": "adult_conditional_caution",
    "age_at_offence": 30,
    "sex": "male",
    "offence": {"code": "TH68010", "category": "theft", "gravity_score": 2},
    "area": "leeds",
    "admission": True,
    "sufficient_evidence": True,
    "consent": True,
    "victim_views": "sought",
    "criminal_history": {
        "previous_convictions": 0,
        "previous_cautions": 0,
        "domestic_abuse_conviction_or_caution_within_2_years": False,
    },
    "needs": [{"category": "alcohol_misuse", "severity": "medium"}],
    "conditions": [
        {
            "kind": "rehabilitative",
            "description": "Attend and complete the alcohol treatment programme",
            "evidence": "completion",
            "reported_by": "agency",
            "addresses_need": "alcohol_misuse",
        }
    ],
    "personal": {"given_name": "Bench", "family_name": "Person", "date_of_birth": "1990-01-01"},
}
"""One adult Conditional Caution with one condition and one need: one referral, one completion, one outcome
per case."""


@dataclass
class Observed:
    opened: dict[str, str] = field(default_factory=dict)  # case id -> police reference
    referrals: dict[str, list] = field(default_factory=dict)  # case id -> [(referral id, agency, need, ms)]
    outcomes: dict[str, int] = field(default_factory=dict)  # case id -> ms
    since_ms: int = 0
    records: int = 0
    """Records the platform wrote on the watched topics since this run began."""


@dataclass(frozen=True)
class LoadResult:
    cases: int
    seconds: float
    events: int
    decision_to_referral_ms: dict[str, float]
    update_to_outcome_ms: dict[str, float]

    @property
    def cases_per_s(self) -> float:
        return self.cases / self.seconds

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds


def decision_record(reference: str, subject_ref: str, *, event_id: str | None = None, source: str = "/bench/police"):
    """The `DECISION` case under its own police reference, as the CloudEvent a police system sends."""
    command = DiversionDecision.model_validate(
        {**DECISION, "police_reference": reference, "subject_ref": subject_ref, "decided_at": datetime.now(UTC)}
    )
    return encode(command, event_id=event_id or str(uuid.uuid4()), source=source, time=datetime.now(UTC), key=reference)


def lifted_catalogue() -> str:
    """The seeded catalogue with capacities lifted, so a load measures speed, not waiting lists; a temp file."""
    text = RouterSettings().router_catalogue_file.read_text()
    lifted = re.sub(r"capacity: \d+", "capacity: 10000", text)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        handle.write(lifted)
    return handle.name


async def run(logins: KafkaLogins, prefix: str, *, run_id: str, cases: int, rate: float, timeout: float) -> LoadResult:
    """The police send as their force and each agency as itself; the watcher reads as the administrator."""
    observed = Observed(since_ms=_now_ms())
    watcher = asyncio.create_task(_watch(logins.admin, prefix, observed))
    outside = Outside(logins, prefix)
    try:
        sent_at: dict[str, int] = {}
        started = time.perf_counter()
        for n in range(cases):
            reference = f"13BM{run_id.upper()}{n:06d}"
            record = decision_record(reference, f"bench-{run_id}-{n:06d}")
            sent_at[reference] = _now_ms()
            await outside.as_police(FORCE, record.value, key=record.key, headers=record.headers)
            if rate:
                await asyncio.sleep(max(started + (n + 1) / rate - time.perf_counter(), 0))
        await outside.flush()
        mine = set(sent_at)
        await _until(
            lambda: (
                sum(ref in mine for ref in observed.opened.values()) >= cases
                and all(c in observed.referrals for c, ref in observed.opened.items() if ref in mine)
            ),
            timeout,
        )
        decided = {c: r for c, r in observed.opened.items() if r in mine}
        first_referral = [min(ms for *_, ms in observed.referrals[c]) - sent_at[r] for c, r in decided.items()]

        updated_at: dict[str, int] = {}
        for case_id in decided:
            for referral_id, agency, need, _ in observed.referrals[case_id]:
                update = InterventionCompleted(
                    case_id=case_id,
                    referral_id=referral_id,
                    agency_id=agency,
                    occurred_at=datetime.now(UTC),
                    goals=[{"need": need, "goal": "done", "outcome": "achieved"}],
                )
                record = encode(
                    update, event_id=str(uuid.uuid4()), source=f"/bench/{agency}", time=datetime.now(UTC), key=case_id
                )
                await outside.as_agency(agency, record.value, key=record.key, headers=record.headers)
            updated_at[case_id] = _now_ms()
        await outside.flush()
        await _until(lambda: all(c in observed.outcomes for c in decided), timeout)
        seconds = time.perf_counter() - started
        to_outcome = [observed.outcomes[c] - updated_at[c] for c in decided]
        return LoadResult(cases, seconds, observed.records, _percentiles(first_referral), _percentiles(to_outcome))
    finally:
        watcher.cancel()
        await outside.stop()


async def _watch(kafka: KafkaAccess, prefix: str, observed: Observed) -> None:
    topics = [prefix + t.name for t in (CASES, REFERRALS, COMPLIANCE)]
    async for record in read_records(kafka, *topics, follow=True, idle_ms=200):
        observed.records += record.timestamp >= observed.since_ms
        attributes, event = decode(record.headers, record.value, EVENT_TYPES)
        kind = attributes.type
        if kind.endswith("case.opened.v1"):
            observed.opened[str(event.case_id)] = event.police_reference
        elif kind.endswith("referral.issued.v1"):
            observed.referrals.setdefault(str(event.case_id), []).append(
                (event.referral_id, event.agency_id, event.needs[0].category, record.timestamp)
            )
        elif kind.endswith("case.changed.v1"):
            observed.outcomes[str(event.case_id)] = record.timestamp


async def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the platform did not finish the load in time")
        await asyncio.sleep(0.2)


def _percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50": values[0] if values else 0.0, "p95": 0.0, "p99": 0.0}
    cuts = statistics.quantiles(values, n=100)
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1)}


def _now_ms() -> int:
    return int(time.time() * 1000)
