"""One chaos run: the cluster, the fleet, the outside world and the faults, then the verdict."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path

from benchmarks.load import lifted_catalogue
from benchmarks.outside import Outside
from chaos.drive import Agencies, Police, redeliver_forever
from chaos.faults import inject
from chaos.fleet import GROUPS, Fleet
from chaos.observe import Watcher, cancel, lagging, positions_when_possible
from chaos.plan import ChaosPlan
from chaos.verdict import Verdict, judge
from deploy.local_stack import kafka, postgres
from deploy.local_stack.parties import directory
from deploy.local_stack.processes import provide_topics, remove_isolated
from platform_plumbing.database_roles import OPERATIONS_ROLE
from platform_plumbing.kafka_clients import KafkaAccess, producer_for
from services.operations.books import check_books

logger = logging.getLogger(__name__)


async def run_chaos(plan: ChaosPlan, *, logs: Path, patience: float = 180, timeout: float = 1800) -> Verdict:
    """Run `plan` on the local 3-broker cluster and PostgreSQL (both started if they are not)."""
    parties = directory()
    await asyncio.to_thread(kafka.start, kafka.CLUSTER)
    await asyncio.to_thread(kafka.provision, kafka.CLUSTER, parties)
    await asyncio.to_thread(postgres.start)
    logins, database = kafka.logins(kafka.CLUSTER), postgres.logins()
    admin = logins.admin
    run = uuid.uuid4().hex[:6]
    prefix = f"chaos{run}."
    await provide_topics(admin, parties, prefix)
    catalogue = lifted_catalogue()
    logs.mkdir(parents=True, exist_ok=True)
    fleet = Fleet.of(
        kafka=logins, database=database, parties=parties, prefix=prefix, run=run, logs=logs, catalogue=catalogue
    )
    groups = fleet.groups()
    kafka_out = producer_for(admin, request_timeout_ms=30_000)
    await kafka_out.start()
    outside = Outside(logins, prefix, request_timeout_ms=30_000)
    watcher = Watcher(admin, prefix)
    police = Police(plan, run, outside)
    agencies = Agencies(plan, watcher, outside)
    background = []
    verdict: Verdict | None = None
    try:
        await fleet.start()
        background = [
            asyncio.create_task(watcher.run()),
            asyncio.create_task(agencies.answer_forever()),
            asyncio.create_task(redeliver_forever(admin, prefix, plan.seed, kafka_out)),
        ]
        started = time.monotonic()
        reports = []
        for fault, wave in zip(plan.faults, plan.waves, strict=False):
            sending = asyncio.create_task(police.send(wave))
            reports.append(await inject(fault, fleet, kafka=admin, patience=patience))
            await sending
        await police.send(plan.waves[-1])
        references = {police.reference(index) for index in range(plan.cases)}
        deadline = started + timeout
        await _until_every_outcome(watcher, references, deadline=deadline)
        elapsed = time.monotonic() - started
        for task in background[1:]:  # the outside world falls quiet, so that the platform can drain
            await cancel(task)
        await kafka_out.flush()
        await outside.flush()
        positions = await _once_drained(admin, groups, deadline=deadline)
        schemas = {name: f"chaos_{run}_{name}" for name in GROUPS}
        operations = logins.of("operations")
        books = await check_books(database.url(OPERATIONS_ROLE), schemas, kafka=operations, topic_prefix=prefix)
        verdict = judge(
            references=references,
            published=watcher.published,
            poisons=police.poisoned,
            faults=reports,
            lagging_partitions=lagging(positions) if positions is not None else ["(cluster did not answer)"],
            books=books,
        )
        verdict.figures.update(
            seed=plan.seed,
            decisions_sent=len(plan.order),
            decisions_resent=plan.resent_decisions,
            agency_updates_answered=agencies.answered,
            seconds=round(elapsed, 1),
            cases_per_s=round(plan.cases / elapsed, 1),
        )
        return verdict
    finally:
        for task in background:
            await cancel(task)
        await kafka_out.stop()
        await outside.stop()
        fleet.stop()
        Path(catalogue).unlink(missing_ok=True)
        schemas = [f"chaos_{run}_{name}" for name in GROUPS]
        if verdict is not None and verdict.passed:
            await remove_isolated(admin, database.admin_url, parties, prefix, schemas)
        else:
            logger.warning("kept the evidence of a failed run: schemas %s, topics under %s", schemas, prefix)


async def _until_every_outcome(watcher: Watcher, references: set[str], *, deadline: float) -> None:
    """Wait until every decision has its case and every case its outcome, or the deadline."""
    published = watcher.published
    while time.monotonic() < deadline:
        cases = [case for ref in references for case in published.cases.get(ref, ())]
        if len(cases) >= len(references) and all(published.outcomes.get(case) for case in cases):
            return
        await asyncio.sleep(1)


async def _once_drained(kafka: KafkaAccess, groups, *, deadline: float) -> dict | None:
    """The groups' positions once no partition lags, or as they are at the deadline (None: no answer)."""
    while True:
        positions = await positions_when_possible(kafka, groups)
        if (positions is not None and not lagging(positions)) or time.monotonic() > deadline:
            return positions
        await asyncio.sleep(1)
