"""Each service's hop on its own: its input topics filled beforehand, the service started alone,
timed from its consumer group's first committed offset until it has committed everything.

That is the figure comparable with the bare Python hop (`baseline.python_hop`), which also runs
alone on a filled topic. The services run one after another on one prefix: intake's output is
the router's input, and both outputs are compliance's.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import FORCE, decision_record
from benchmarks.outside import Outside
from deploy.local_stack import postgres
from deploy.local_stack.processes import isolated_service
from platform_plumbing.kafka_clients import KafkaAccess, KafkaLogins
from schemas.topics import CASES, DECISIONS, REFERRALS, Topic
from services.compliance.bootstrap import CONSUMER_GROUP as COMPLIANCE_GROUP
from services.intake.bootstrap import CONSUMER_GROUP as INTAKE_GROUP
from services.operations.kafka_views import GroupWatch, topic_counts
from services.referral_router.bootstrap import CONSUMER_GROUP as ROUTER_GROUP

HOPS = (  # service, its group, the topics it drains here, the topic its output lands on
    ("intake", INTAKE_GROUP, (DECISIONS,), CASES),
    ("router", ROUTER_GROUP, (CASES,), REFERRALS),
    ("compliance", COMPLIANCE_GROUP, (CASES, REFERRALS), None),
)


class TimingTooCoarse(RuntimeError):
    """The input was drained before it could be timed: a rate of 0 would be a wrong figure, not a slow one."""


@dataclass(frozen=True)
class HopRate:
    records: int
    seconds: float

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds


async def measure(logins: KafkaLogins, prefix: str, run: str, *, cases: int, catalogue: str, logs: Path) -> dict:
    """Records/s of each service's hop, run alone on `cases` decisions' worth of input (the topics under
    `prefix` made, with their ACLs, by the caller)."""
    admin = logins.admin
    await _fill_decisions(logins, prefix, cases, run)
    rates = {}
    for name, group, inputs, output in HOPS:
        process = isolated_service(
            name,
            kafka=logins,
            database=postgres.logins(),
            prefix=prefix,
            schema=f"bench_{run}_hop_{name}",
            log=logs / f"bench-{run}-hop-{name}.log",
            ROUTER_CATALOGUE_FILE=catalogue,
        )
        await process.start()
        try:
            drained = [prefix + (t.named(FORCE) if t.per else t.name) for t in inputs]
            rates[name] = await _drain_time(admin, prefix + group, drained)
            if output is not None:
                await _until_published(admin, prefix, output.name, at_least=_expected(output, cases))
        finally:
            process.stop()
    return rates


def _expected(output: Topic, cases: int) -> int:
    """Intake publishes one CaseOpened per case (its needs on it); the router one ReferralIssued."""
    return cases


async def _fill_decisions(logins: KafkaLogins, prefix: str, cases: int, run: str) -> None:
    outside = Outside(logins, prefix)
    try:
        for n in range(cases):
            record = decision_record(f"13HP{run.upper()}{n:06d}", f"hop-{run}-{n:06d}")
            await outside.as_police(FORCE, record.value, key=record.key, headers=record.headers)
        await outside.flush()
    finally:
        await outside.stop()


async def _drain_time(kafka: KafkaAccess, group: str, topics: list[str], timeout: float = 600) -> HopRate:
    """From the group's first commit to its last: the start-up of the process is not counted."""
    async with GroupWatch(kafka, {group: topics}) as watch:
        first: tuple[float, int] | None = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            positions = (await watch.positions()).values()
            done, total = sum(done for done, _ in positions), sum(end for _, end in positions)
            now = time.perf_counter()
            if first is None and done > 0:
                first = (now, done)
            if done >= total and first is not None:
                if first[1] >= total:
                    raise TimingTooCoarse(f"{group} drained all {total} records before the first look: use more cases")
                return HopRate(total - first[1], max(now - first[0], 1e-3))
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{group} did not drain {topics} in {timeout}s")


async def _until_published(kafka: KafkaAccess, prefix: str, topic: str, *, at_least: int, timeout: float = 120) -> None:
    """Wait until the service's outbox has sent its output, before the next hop reads it."""
    deadline = time.monotonic() + timeout
    while next(c.messages for c in await topic_counts(kafka, prefix) if c.name == prefix + topic) < at_least:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{prefix + topic} has fewer than {at_least} records after {timeout}s")
        await asyncio.sleep(0.2)
