"""`make demo`: one month of Cambridgeshire and Peterborough's diversions on an accelerated clock, through the
real APIs and topics, followed for 24 months.

Starts Kafka, PostgreSQL and every service (on a clock running `--speed` times real time, so 16-week deadlines
pass in minutes, then far faster once every case has concluded, so that the month's 24-month cohort matures in
a minute), submits the month's police decisions over intake's HTTP API, plays the partner agencies over the
compliance gateway, the officer in the case and the victim-contact role over intake (letters, instalments of
compensation, penalties, unpaid work, restrictions broken), the police's decision after each breach, and the
police's signals on Kafka as people are named in new investigations; shows progress, then prints the force's
figures beside the source's, the outcome report, checks the books (what every service believes about every case,
condition and referral) and gives the dashboard's address.
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
from services.compliance.adapters.gateway_clients import GatewayClient, add_client
from services.intake.adapters.police_clients import PoliceClient
from services.intake.adapters.police_clients import add_client as add_police_client
from services.operations.books import Books, check_books
from services.operations.cli import print_books
from services.operations.overview import overview_once
from services.operations.report_tables import fetch, print_report
from services.operations.settings import OperationsSettings
from services.operations.simulator.agencies import answer_referrals
from services.operations.simulator.diversion_team import acknowledge_concerns, decide_plans
from services.operations.simulator.police import PoliceCase, decide_breaches, plan_reports, report_progress
from services.operations.simulator.population import month_of_decisions
from services.operations.simulator.signals import Signals
from services.referral_router.domain.catalogue import load_catalogue
from services.referral_router.settings import RouterSettings

console = Console()


ACTIVE_DAYS = 200
"""Simulated days the demo runs at its own speed: a month of decisions, 20 weeks to complete, the police's
decisions after breaches. Then the clock runs `FAST_SPEED` times faster until the month's 24-month cohort has
matured (`MATURE_AFTER_DAYS` after the month's first decision, a month's days later for its last)."""
FAST_SPEED = 1_000_000
MATURE_AFTER_DAYS = 730 + 31 + 1


class RefusedByIntake(Exception):
    """Intake would not take one of the demo's decisions at all (not a policy rejection: the request itself): the
    demo is out of step with the stack (a key for another force, a field the schema no longer has) and says so
    rather than play a month of nothing."""


@dataclass
class Month:
    """What the simulation did: decisions in, cases opened, the police's cases and the agencies' progress."""

    submitted: int = 0
    rejected: int = 0
    cases: dict[str, PoliceCase] = field(default_factory=dict)
    fates: dict = field(default_factory=dict)
    steps: dict[str, set[str]] = field(default_factory=dict)
    signals: Signals = field(default_factory=Signals)

    @property
    def opened(self) -> int:
        return len(self.cases)


def demo_clock(epoch: datetime, speed: float) -> AcceleratedClock:
    """The demo's clock: `speed` for the active months, then fast until the cohort has matured."""
    return AcceleratedClock(epoch, speed, timedelta(days=ACTIVE_DAYS), FAST_SPEED)


def clock_settings(clock: AcceleratedClock) -> dict[str, str]:
    """The same clock, as every service is told it."""
    return {
        "CLOCK_SPEED": str(clock.speed),
        "CLOCK_EPOCH": clock.epoch.isoformat(),
        "CLOCK_FAST_FORWARD_AFTER_DAYS": str(clock.fast_forward_after.days),
        "CLOCK_FAST_FORWARD_SPEED": str(clock.fast_speed),
    }


def main(seed: int = 2026, cases: int = 350, speed: float = 50_000, timeout_minutes: float = 20) -> None:
    """Run the demo (seeded: the same seed gives the same month)."""
    clock = demo_clock(datetime.now(UTC), speed)
    with console.status("starting Kafka, PostgreSQL and the services on the accelerated clock…"):
        stack = up_with_services(kafka.SINGLE, clock={**clock_settings(clock), "COMPLIANCE_SWEEP_SECONDS": "1"})
    try:
        month = asyncio.run(simulate(stack, clock, seed, cases, timeout_minutes * 60))
    except RefusedByIntake as refused:
        console.print(f"[red]{refused}[/]")
        raise typer.Exit(1) from None
    settings = OperationsSettings(
        **{k.lower(): v for k, v in stack.items() if k.lower() in OperationsSettings.model_fields},
        database_url=stack["OPERATIONS_DATABASE_URL"],
    )
    figures = asyncio.run(_report(settings))
    print_report(console, figures, "disposal")
    overview = asyncio.run(overview_once(settings, operations_key=settings.operations_api_key))
    console.print(
        f"decisions submitted: {month.submitted}   cases opened: {month.opened}   "
        f"rejected under the policy: {month.rejected}   "
        f"awaiting a police decision: {len(overview['breaches'])}   "
        f"waiting for a place: {len(overview['unplaced'])}   dead letters: {overview['dead_letters']['count']}   "
        f"reoffending signals sent: {len(month.signals.sent)}"
    )
    books = asyncio.run(checked_books(settings))
    print_books(books)
    with console.status("putting the services back on the real clock…"):
        up_with_services(kafka.SINGLE, restart=True)
    console.print(f"\nDashboard: [bold]{stack['DASHBOARD_URL']}[/]   (make down stops everything)")
    if books.disagreement_count:
        raise typer.Exit(1)


async def _report(settings: OperationsSettings) -> dict:
    headers = {"X-API-Key": settings.operations_api_key}
    async with httpx.AsyncClient(base_url=settings.agency_api_url, timeout=30, headers=headers) as http:
        return await fetch(http, "disposal")


async def checked_books(settings: OperationsSettings) -> Books:
    return await check_books(
        settings.database_url,
        settings.schemas,
        kafka=settings.kafka,
        topic_prefix=settings.topic_prefix,
    )


async def simulate(stack: dict[str, str], clock: AcceleratedClock, seed: int, count: int, timeout: float) -> Month:
    """Run the month against the services `stack` names (the `KEY=value` settings `make up` prints, plus
    `INTAKE_DB_SCHEMA`, `COMPLIANCE_DB_SCHEMA` and `TOPIC_PREFIX` where they are not the defaults), until every
    case has concluded and its 24 months have passed; return what was done."""
    plan = month_of_decisions(seed, count, clock.now(), 30 * 24 * 3600 / clock.speed)
    agency_keys = await _agency_keys(stack["COMPLIANCE_DATABASE_URL"], stack.get("COMPLIANCE_DB_SCHEMA", "compliance"))
    victim_key = await _victim_contact_key(stack["INTAKE_DATABASE_URL"], stack.get("INTAKE_DB_SCHEMA", "intake"))
    month, rng = Month(), random.Random(seed + 1)
    progress = Progress(
        TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    operations = {"X-API-Key": stack["OPERATIONS_API_KEY"]}
    police_kafka = KafkaAccess(
        stack["KAFKA_BOOTSTRAP_SERVERS"],
        stack["POLICE_KAFKA_USERNAME"],
        stack["POLICE_KAFKA_PASSWORD"],
        stack["KAFKA_CA_FILE"],
    )
    with progress:
        submitted = progress.add_task("police decisions submitted", total=count)
        concluded = progress.add_task("cases concluded", total=count)
        matured = progress.add_task("days to a mature cohort", total=MATURE_AFTER_DAYS)
        started = asyncio.get_running_loop().time()
        compliance = await asyncpg.connect(
            stack["COMPLIANCE_DATABASE_URL"],
            server_settings={"search_path": stack.get("COMPLIANCE_DB_SCHEMA", "compliance")},
        )
        signalling = producer_for(police_kafka)
        await signalling.start()
        async with (
            _closing(compliance),
            _stopping(signalling),
            _client(stack["INTAKE_URL"], stack["POLICE_API_KEY"]) as police,
            _client(stack["INTAKE_URL"], victim_key) as victim_contact,
            httpx.AsyncClient(base_url=stack["AGENCY_API_URL"], timeout=30) as gateway,
        ):
            intake = {"police": police, "victim_contact": victim_contact}
            submitting = asyncio.create_task(_submit(police, plan, clock, month, rng, progress, submitted))
            while True:
                now = clock.now()
                await asyncio.gather(
                    *(
                        answer_referrals(gateway, agency, key, month.fates, month.steps, now)
                        for agency, key in agency_keys.items()
                    )
                )
                await decide_plans(gateway, operations, month.steps)
                await acknowledge_concerns(gateway, operations)
                for case in list(month.cases.values()):
                    await report_progress(intake, case, now)
                awaiting = (await gateway.get("/v1/reports/breaches", headers=operations)).json()
                for case in await decide_breaches(police, awaiting, month.cases, now, rng):
                    month.fates[case.case_id] = case.plan.fate
                outcomes = await _outcomes(compliance, month.cases)
                for case_id, status in outcomes.items():
                    month.signals.concluded_case(month.cases[case_id], completed=status == "completed")
                await month.signals.send_due(signalling, stack.get("TOPIC_PREFIX", ""), now)
                progress.update(
                    concluded, completed=len(outcomes), total=max(month.opened, 1) if submitting.done() else count
                )
                progress.update(matured, completed=min((now - clock.epoch).days, MATURE_AFTER_DAYS))
                elapsed = asyncio.get_running_loop().time() - started
                done = submitting.done() and len(outcomes) >= month.opened
                if submitting.done() and submitting.exception() is not None:
                    break
                if (done and (now - clock.epoch).days >= MATURE_AFTER_DAYS) or elapsed > timeout:
                    break
                await asyncio.sleep(1)
            await submitting
    await asyncio.sleep(3)  # compliance reads the last signals before the report is printed
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
        response = await police.post("/v1/decisions", json=decision)
        if response.is_error:
            raise RefusedByIntake(
                f"intake refused the demo's decision {decision['police_reference']}: {response.status_code} "
                f"{response.text}"
            )
        answer = response.json()
        month.submitted += 1
        month.rejected += answer.get("status") == "rejected"
        if answer.get("status") == "open":
            case = PoliceCase(
                reference=answer["police_reference"],
                case_id=answer["case_id"],
                subject_ref=decision["subject_ref"],
                decided_at=decided_at,
                plan=planned,
                condition_ids=[c["condition_id"] for c in answer["conditions"]],
            )
            plan_reports(case, rng)
            month.cases[case.case_id] = case
            month.fates[case.case_id] = planned.fate
        progress.advance(task)


def _run_tag(clock: AcceleratedClock) -> str:
    """This run's mark on its police references and people, so a second run of the same seed on the same
    stack is a new month rather than a resubmission of the first (which intake would only replay)."""
    seconds, tag = int(clock.epoch.timestamp()), ""
    while seconds:
        seconds, digit = divmod(seconds, 36)
        tag = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + tag
    return tag


async def _outcomes(compliance: asyncpg.Connection, cases: dict) -> dict[str, str]:
    """This month's cases that have reached a final outcome (neither open nor awaiting a police decision), with
    it — counted among this month's own, so that an earlier month on the same stack counts for nothing."""
    rows = await compliance.fetch(
        "SELECT case_id::text, status FROM cases WHERE case_id = ANY($1::uuid[])"
        " AND status NOT IN ('open', 'awaiting_police_decision')",
        list(cases),
    )
    return {row["case_id"]: row["status"] for row in rows}


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


@contextlib.asynccontextmanager
async def _stopping(producer):
    try:
        yield producer
    finally:
        await producer.stop()


if __name__ == "__main__":
    sys.exit(typer.run(main))
