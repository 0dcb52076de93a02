"""`make demo`: one month of a mid-sized force on an accelerated clock, through the real APIs and topics.

Starts Kafka, PostgreSQL and every service (on a clock running `--speed` times real time, so
16-week deadlines pass in minutes), submits the month's police decisions over intake's HTTP API,
plays the partner agencies over the compliance gateway and the police's reoffending signals on
Kafka, shows progress, and prints the outcome report and the dashboard's address.
"""

from __future__ import annotations

import asyncio
import sys
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
from platform_plumbing.kafka_clients import producer_for
from schemas.envelope import encode
from schemas.events import ReoffendingSignal
from schemas.topics import POLICE_SIGNALS
from services.compliance.adapters.gateway_clients import GatewayClient, add_client
from services.operations.cli import print_report
from services.operations.overview import overview as operations_overview
from services.operations.settings import OperationsSettings
from services.operations.simulator.agencies import answer_referrals
from services.operations.simulator.population import month_of_decisions
from services.referral_router.domain.catalogue import load_catalogue
from services.referral_router.settings import RouterSettings

console = Console()


def main(seed: int = 2026, cases: int = 350, speed: float = 50_000, timeout_minutes: float = 9) -> None:
    """Run the demo (seeded: the same seed gives the same month)."""
    epoch = datetime.now(UTC)
    with console.status("starting Kafka, PostgreSQL and the services on the accelerated clock…"):
        stack = up_with_services(
            kafka.SINGLE,
            clock={
                "CLOCK_SPEED": str(speed),
                "CLOCK_EPOCH": epoch.isoformat(),
                "COMPLIANCE_SWEEP_SECONDS": "1",
            },
        )
    asyncio.run(simulate(stack, AcceleratedClock(epoch, speed), seed, cases, timeout_minutes * 60))
    settings = OperationsSettings(
        **{k.lower(): v for k, v in stack.items() if k.lower() in OperationsSettings.model_fields}
    )
    print_report(settings, "disposal")
    print_report(settings, "agency", reoffending=False)
    overview = asyncio.run(operations_overview(settings))
    console.print(
        f"breaches awaiting a police decision: {len(overview['breaches'])}   "
        f"unplaced referrals: {len(overview['unplaced'])}   "
        f"dead letters: {overview['dead_letters']['count']}"
    )
    console.print(f"\nDashboard: [bold]{stack['DASHBOARD_URL']}[/]   (make down stops everything)")


async def simulate(stack: dict[str, str], clock: AcceleratedClock, seed: int, count: int, timeout: float) -> int:
    """Run the month against the services `stack` names (the `KEY=value` settings `make up` prints, plus
    `COMPLIANCE_DB_SCHEMA` and `TOPIC_PREFIX` where they are not the defaults); return the cases opened."""
    month = 30 * 24 * 3600 / clock.speed
    plan = month_of_decisions(seed, count, clock.now(), month)
    agency_keys = await _agency_keys(stack["DATABASE_URL"], stack.get("COMPLIANCE_DB_SCHEMA", "compliance"))
    fates: dict[str, object] = {}
    opened: list[tuple[str, int | None, datetime, str]] = []
    progress = Progress(
        TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    with progress:
        submitted = progress.add_task("police decisions submitted", total=count)
        concluded = progress.add_task("cases concluded", total=count)
        started = asyncio.get_running_loop().time()
        async with (
            httpx.AsyncClient(
                base_url=stack["INTAKE_URL"], timeout=30, headers={"X-API-Key": stack["POLICE_API_KEY"]}
            ) as police,
            httpx.AsyncClient(base_url=stack["AGENCY_API_URL"], timeout=30) as gateway,
        ):
            submitting = asyncio.create_task(_submit(police, plan, clock, fates, opened, progress, submitted))
            while True:
                for key in agency_keys.values():
                    await answer_referrals(gateway, key, fates, clock.now())
                done = await _concluded(gateway, stack["OPERATIONS_API_KEY"])
                progress.update(concluded, completed=done, total=max(len(opened), 1) if submitting.done() else count)
                elapsed = asyncio.get_running_loop().time() - started
                if (submitting.done() and done >= len(opened)) or elapsed > timeout:
                    break
                await asyncio.sleep(1)
            await submitting
    topic = stack.get("TOPIC_PREFIX", "") + POLICE_SIGNALS.name
    await _signal_reoffending(stack["KAFKA_BOOTSTRAP_SERVERS"], topic, opened, clock)
    return len(opened)


async def _submit(police, plan, clock, fates, opened, progress, task) -> None:
    start = clock.now()
    for offset, case in plan:
        due = start + timedelta(seconds=offset * clock.speed)
        await asyncio.sleep(max((due - clock.now()).total_seconds() / clock.speed, 0))
        decision = {**case.decision, "decided_at": clock.now().isoformat()}
        answer = (await police.post("/v1/decisions", json=decision)).json()
        if answer.get("status") == "open":
            fates[answer["case_id"]] = case.fate
            opened.append((answer["case_id"], case.reoffends_after_days, clock.now(), case.decision["subject_ref"]))
        progress.advance(task)


async def _concluded(gateway: httpx.AsyncClient, key: str) -> int:
    rows = (await gateway.get("/v1/reports/compliance", headers={"X-API-Key": key})).json()
    return sum(row["concluded"] for row in rows)


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


async def _signal_reoffending(bootstrap: str, topic: str, opened, clock: AcceleratedClock) -> None:
    """The police's signals that some diverted people were named in a new investigation."""
    producer = producer_for(bootstrap)
    await producer.start()
    try:
        for case_id, after_days, decided_at, subject in opened:
            if after_days is None:
                continue
            signal = ReoffendingSignal(
                case_id=case_id,
                subject_ref=subject,
                domestic_abuse=False,
                named_on=(decided_at + timedelta(days=after_days)).date(),
            )
            record = encode(
                signal, event_id=f"demo-signal-{case_id}", source="/police/demo", time=clock.now(), key=case_id
            )
            await producer.send_and_wait(topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()
    await asyncio.sleep(3)  # compliance reads them before the report is printed


if __name__ == "__main__":
    sys.exit(typer.run(main))
