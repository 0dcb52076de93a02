"""`make demo`: one month of a mid-sized force on an accelerated clock, through the real APIs and topics.

Starts Kafka, PostgreSQL and every service (on a clock running `--speed` times real time, so
16-week deadlines pass in minutes), submits the month's police decisions over intake's HTTP API,
plays the partner agencies over the compliance gateway, the officer in the case and the
victim-contact role over intake (letters, instalments of compensation, penalties, unpaid work,
restrictions broken), the police's decision after each breach, and the police's reoffending signals
on Kafka; shows progress, then prints the outcome report, checks the books (what every service
believes about every case, condition and referral) and gives the dashboard's address.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from deploy.local_stack import kafka
from deploy.local_stack.__main__ import up_with_services
from platform_plumbing.api_keys import issue_key
from platform_plumbing.clock import AcceleratedClock
from platform_plumbing.kafka_clients import KafkaAccess, producer_for
from schemas.envelope import encode
from schemas.events import ReoffendingSignal
from schemas.topics import POLICE_SIGNALS
from services.compliance.adapters.gateway_clients import GatewayClient, add_client
from services.intake.adapters.police_clients import PoliceClient
from services.intake.adapters.police_clients import add_client as add_police_client
from services.operations.books import Books, check_books
from services.operations.cli import print_books, print_report
from services.operations.overview import overview as operations_overview
from services.operations.settings import OperationsSettings
from services.operations.simulator.agencies import answer_referrals
from services.operations.simulator.police import PoliceCase, decide_breaches, plan_reports, report_progress
from services.operations.simulator.population import month_of_decisions
from services.referral_router.domain.catalogue import load_catalogue
from services.referral_router.settings import RouterSettings

console = Console()


@dataclass
class Month:
    """What the simulation did: decisions in, cases opened, the police's cases and the agencies' progress."""

    submitted: int = 0
    cases: dict[str, PoliceCase] = field(default_factory=dict)
    fates: dict = field(default_factory=dict)
    steps: dict[str, set[str]] = field(default_factory=dict)
    reoffending: list[tuple[str, int, datetime, str]] = field(default_factory=list)

    @property
    def opened(self) -> int:
        return len(self.cases)


def main(seed: int = 2026, cases: int = 350, speed: float = 50_000, timeout_minutes: float = 12) -> None:
    """Run the demo (seeded: the same seed gives the same month)."""
    epoch = datetime.now(UTC)
    with console.status("starting Kafka, PostgreSQL and the services on the accelerated clock…"):
        stack = up_with_services(
            kafka.SINGLE,
            clock={"CLOCK_SPEED": str(speed), "CLOCK_EPOCH": epoch.isoformat(), "COMPLIANCE_SWEEP_SECONDS": "1"},
        )
    month = asyncio.run(simulate(stack, AcceleratedClock(epoch, speed), seed, cases, timeout_minutes * 60))
    settings = OperationsSettings(
        **{k.lower(): v for k, v in stack.items() if k.lower() in OperationsSettings.model_fields},
        database_url=stack["OPERATIONS_DATABASE_URL"],
    )
    print_report(settings, "disposal", outcomes=True)
    print_report(settings, "agency", reoffending=False)
    overview = asyncio.run(operations_overview(settings, operations_key=settings.operations_api_key))
    console.print(
        f"decisions submitted: {month.submitted}   cases opened: {month.opened}   "
        f"awaiting a police decision: {len(overview['breaches'])}   "
        f"waiting for a place: {len(overview['unplaced'])}   dead letters: {overview['dead_letters']['count']}"
    )
    books = asyncio.run(checked_books(settings))
    print_books(books)
    console.print(f"\nDashboard: [bold]{stack['DASHBOARD_URL']}[/]   (make down stops everything)")
    if books.disagreement_count:
        raise typer.Exit(1)


async def checked_books(settings: OperationsSettings) -> Books:
    return await check_books(
        settings.database_url,
        settings.schemas,
        kafka=settings.kafka,
        topic_prefix=settings.topic_prefix,
    )


async def simulate(stack: dict[str, str], clock: AcceleratedClock, seed: int, count: int, timeout: float) -> Month:
    """Run the month against the services `stack` names (the `KEY=value` settings `make up` prints, plus
    `INTAKE_DB_SCHEMA`, `COMPLIANCE_DB_SCHEMA` and `TOPIC_PREFIX` where they are not the defaults), until
    every case has concluded; return what was done."""
    plan = month_of_decisions(seed, count, clock.now(), 30 * 24 * 3600 / clock.speed)
    agency_keys = await _agency_keys(stack["COMPLIANCE_DATABASE_URL"], stack.get("COMPLIANCE_DB_SCHEMA", "compliance"))
    victim_key = await _victim_contact_key(stack["INTAKE_DATABASE_URL"], stack.get("INTAKE_DB_SCHEMA", "intake"))
    month, rng = Month(), random.Random(seed + 1)
    progress = Progress(
        TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    operations = {"X-API-Key": stack["OPERATIONS_API_KEY"]}
    with progress:
        submitted = progress.add_task("police decisions submitted", total=count)
        concluded = progress.add_task("cases concluded", total=count)
        started = asyncio.get_running_loop().time()
        compliance = await asyncpg.connect(
            stack["COMPLIANCE_DATABASE_URL"],
            server_settings={"search_path": stack.get("COMPLIANCE_DB_SCHEMA", "compliance")},
        )
        async with (
            _closing(compliance),
            _client(stack["INTAKE_URL"], stack["POLICE_API_KEY"]) as police,
            _client(stack["INTAKE_URL"], victim_key) as victim_contact,
            httpx.AsyncClient(base_url=stack["AGENCY_API_URL"], timeout=30) as gateway,
        ):
            intake = {"police": police, "victim_contact": victim_contact}
            submitting = asyncio.create_task(_submit(police, plan, clock, month, rng, progress, submitted))
            while True:
                now = clock.now()
                await asyncio.gather(
                    *(answer_referrals(gateway, key, month.fates, month.steps, now) for key in agency_keys.values())
                )
                for case in list(month.cases.values()):
                    await report_progress(intake, case, now)
                awaiting = (await gateway.get("/v1/reports/breaches", headers=operations)).json()
                for case in await decide_breaches(police, awaiting, month.cases, now, rng):
                    month.fates[case.case_id] = case.plan.fate
                done = await _concluded(compliance, month.cases)
                progress.update(concluded, completed=done, total=max(month.opened, 1) if submitting.done() else count)
                elapsed = asyncio.get_running_loop().time() - started
                if (submitting.done() and done >= month.opened) or elapsed > timeout:
                    break
                await asyncio.sleep(1)
            await submitting
    police = KafkaAccess(
        stack["KAFKA_BOOTSTRAP_SERVERS"],
        stack["POLICE_KAFKA_USERNAME"],
        stack["POLICE_KAFKA_PASSWORD"],
        stack["KAFKA_CA_FILE"],
    )
    await _signal_reoffending(police, stack.get("TOPIC_PREFIX", ""), month.reoffending, clock)
    return month


@contextlib.asynccontextmanager
async def _closing(connection: asyncpg.Connection):
    try:
        yield connection
    finally:
        await connection.close()


def _client(base_url: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=30, headers={"X-API-Key": key})


async def _submit(police, plan, clock, month: Month, rng: random.Random, progress, task) -> None:
    start = clock.now()
    run = _run_tag(clock)
    for offset, planned in plan:
        due = start + timedelta(seconds=offset * clock.speed)
        await asyncio.sleep(max((due - clock.now()).total_seconds() / clock.speed, 0))
        decided_at = clock.now()
        decision = {
            **planned.decision,
            "police_reference": f"{planned.decision['police_reference']}-{run}",
            "subject_ref": f"{planned.decision['subject_ref']}-{run}",
            "decided_at": decided_at.isoformat(),
        }
        answer = (await police.post("/v1/decisions", json=decision)).json()
        month.submitted += 1
        if answer.get("status") == "open":
            case = PoliceCase(
                reference=answer["police_reference"],
                case_id=answer["case_id"],
                decided_at=decided_at,
                plan=planned,
                condition_ids=[c["condition_id"] for c in answer["conditions"]],
            )
            plan_reports(case, rng)
            month.cases[case.case_id] = case
            month.fates[case.case_id] = planned.fate
            subject = decision["subject_ref"]
            month.reoffending.append(
                (case.case_id, planned.reoffends_after_days, decided_at, subject, decision["force_id"])
            )
        progress.advance(task)


def _run_tag(clock: AcceleratedClock) -> str:
    """This run's mark on its police references and people, so a second run of the same seed on the same
    stack is a new month rather than a resubmission of the first (which intake would only replay)."""
    seconds, tag = int(clock.epoch.timestamp()), ""
    while seconds:
        seconds, digit = divmod(seconds, 36)
        tag = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + tag
    return tag


async def _concluded(compliance: asyncpg.Connection, cases: dict) -> int:
    """This month's cases that have reached a final outcome: neither open nor awaiting a police decision
    (counted among this month's own, so that an earlier month on the same stack counts for nothing)."""
    return await compliance.fetchval(
        "SELECT count(*) FROM cases WHERE case_id = ANY($1::uuid[])"
        " AND status NOT IN ('open', 'awaiting_police_decision')",
        list(cases),
    )


async def _agency_keys(database_url: str, schema: str) -> dict[str, str]:
    """A gateway key for every agency in the catalogue (the demo plays them all)."""
    catalogue = load_catalogue(RouterSettings().router_catalogue_file)
    connection = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        keys = {}
        now = datetime.now(UTC)
        for agency in catalogue.agencies:
            client = f"demo-{agency.id}"
            await add_client(connection, GatewayClient(client, "agency", agency.id, agency.name), now=now)
            keys[agency.id] = (await issue_key(connection, client, now=now)).api_key
        return keys
    finally:
        await connection.close()


async def _victim_contact_key(database_url: str, schema: str) -> str:
    """A key for the victim-contact role, which reports compensation as the victim receives it."""
    connection = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    try:
        now = datetime.now(UTC)
        force = await connection.fetchval("SELECT force_id FROM police_clients ORDER BY created_at LIMIT 1")
        client = PoliceClient("demo-victim-contact", force, "demo victim-contact role", "victim_contact")
        await add_police_client(connection, client, now=now)
        return (await issue_key(connection, client.client_id, now=now)).api_key
    finally:
        await connection.close()


async def _signal_reoffending(police: KafkaAccess, prefix: str, opened, clock: AcceleratedClock) -> None:
    """The police's signals, on the force's own topic as the force, that some diverted people were named in
    a new investigation."""
    producer = producer_for(police)
    await producer.start()
    try:
        for case_id, after_days, decided_at, subject, force in opened:
            if after_days is None:
                continue
            signal = ReoffendingSignal(
                case_id=case_id,
                force_id=force,
                subject_ref=subject,
                domestic_abuse=False,
                named_on=(decided_at + timedelta(days=after_days)).date(),
            )
            record = encode(
                signal, event_id=f"demo-signal-{case_id}", source="/police/demo", time=clock.now(), key=case_id
            )
            topic = prefix + POLICE_SIGNALS.named(force)
            await producer.send_and_wait(topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()
    await asyncio.sleep(3)  # compliance reads them before the report is printed


if __name__ == "__main__":
    sys.exit(typer.run(main))
