"""`diversion`: the operations team's command line over topics, consumer lag, dead letters and outcomes.

Reads the same settings `make up` prints (from the environment, else `.runtime/stack.env`).
`--json` gives machine-readable output wherever a script would want it. Personal data is never
shown: any `personal` block in a payload is replaced by a marker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, NoReturn

import asyncpg
import httpx
import typer
from aiokafka.errors import KafkaError
from rich.console import Console
from rich.table import Table

from platform_plumbing import audit_trail
from platform_plumbing.api_keys import operator
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from platform_plumbing.audit_trail import verify as verify_chain
from schemas.vocabulary import ErasureReason
from services.operations import dead_letters as dlq
from services.operations.books import SERVICES, check_books
from services.operations.kafka_views import consumer_lag, describe, read_records, topic_counts
from services.operations.report_tables import CSV_TABLES, fetch, fetch_csv, print_report
from services.operations.settings import OperationsSettings

logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # its retries are noise here; failures are reported
app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
dlq_app = typer.Typer(help="Dead letters: list, show, replay.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
audit_app = typer.Typer(help="The services' audit trails.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
console = Console()
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _settings() -> OperationsSettings:
    return OperationsSettings()


def _run(work: Coroutine[Any, Any, Any], what: str) -> Any:
    """Run `work`; an unreachable Kafka or service ends the command with one clear line."""
    try:
        return asyncio.run(work)
    except httpx.HTTPStatusError as error:
        _fail(f"{what} answered {error.response.status_code}: {error.response.text[:200]}")
    except KafkaError as error:
        _fail(
            f"cannot reach or log in to {what} ({type(error).__name__}); is the stack up (make up), and are the "
            "settings in .runtime/stack.env yours?"
        )
    except (OSError, httpx.HTTPError) as error:
        _fail(f"cannot reach {what} ({type(error).__name__}); is the stack up? (make up)")
    except asyncpg.PostgresError as error:
        _fail(f"{what} refused the query ({type(error).__name__}); are the services' schemas migrated?")
    except LookupError as error:
        _fail(str(error))


def _audited(
    settings: OperationsSettings,
    action: Action,
    what: str,
    *,
    case: str | None = None,
    purpose: Purpose = Purpose.OPERATIONS_SUPPORT,
) -> None:
    """Record an operator's act in the operations audit trail before doing it (and seal it): an act that
    cannot be recorded is not done."""

    async def record() -> None:
        connection = await asyncpg.connect(
            settings.database_url, server_settings={"search_path": audit_trail.OPERATIONS_SCHEMA}
        )
        try:
            now = datetime.now(UTC)
            entry = AuditEntry(
                actor=operator(),
                action=action,
                purpose=purpose,
                at=now,
                case_id=_uuid_or_none(case),
                detail=what,
            )
            await audit_trail.record(connection, entry)
            await audit_trail.seal_all_written(connection, now=now)
        finally:
            await connection.close()

    _run(record(), "the operations audit trail in PostgreSQL (OPERATIONS_DATABASE_URL)")


def _uuid_or_none(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _kafka(settings: OperationsSettings) -> str:
    return f"Kafka at {settings.kafka_bootstrap_servers} as {settings.kafka_username or '(no KAFKA_USERNAME)'}"


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


@app.command()
def topics(as_json: AsJson = False) -> None:
    """The topic catalogue with live message counts."""
    settings = _settings()
    counts = _run(
        topic_counts(settings.kafka, settings.topic_prefix),
        _kafka(settings),
    )
    if as_json:
        typer.echo(json.dumps([vars(c) for c in counts]))
        return
    _table(
        "topics",
        ["topic", "partitions", "messages", "what it carries"],
        [[c.name, c.partitions, c.messages, c.description] for c in counts],
    )


@app.command()
def lag(as_json: AsJson = False) -> None:
    """Consumer lag per group and partition (records not yet processed)."""
    settings = _settings()
    lags = _run(
        consumer_lag(settings.kafka, settings.topic_prefix),
        _kafka(settings),
    )
    if as_json:
        typer.echo(json.dumps([{**vars(row), "lag": row.lag} for row in lags]))
        return
    _table(
        "consumer lag",
        ["group", "topic", "partition", "committed", "end", "lag"],
        [[row.group, row.topic, row.partition, row.committed, row.end, row.lag] for row in lags],
    )


@app.command()
def tail(
    topic: Annotated[str, typer.Argument(help="A catalogue topic, e.g. diversion.cases.v1")],
    case: Annotated[str | None, typer.Option(help="Only this case id (the record key).")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Only types containing this text.")] = None,
    follow: Annotated[bool, typer.Option("--follow/--no-follow", help="Keep waiting for new events.")] = False,
    as_json: AsJson = False,
) -> None:
    """Decoded CloudEvents from a topic, oldest first; `--follow` keeps watching. Personal data is redacted,
    and the read is in the operations audit trail."""
    settings = _settings()
    _audited(settings, Action.CONSULTATION, f"tail {topic}", case=case)

    async def show() -> None:
        async for record in read_records(settings.kafka, settings.topic(topic), follow=follow):
            event = describe(record)
            if (case and event["key"] != case) or (event_type and event_type not in event["type"]):
                continue
            if as_json:
                typer.echo(json.dumps(event, default=str))
            else:
                console.print(
                    f"[bold]{event['type']}[/] [dim]{event['time']} case {event['key']} "
                    f"@{event['partition']}/{event['offset']}[/]"
                )
                console.print_json(json.dumps(event["data"], default=str))

    with contextlib.suppress(KeyboardInterrupt):
        _run(show(), _kafka(settings))


@dlq_app.command("list")
def dlq_list(as_json: AsJson = False) -> None:
    """Every dead letter: where it came from and why it failed."""
    settings = _settings()
    letters = [
        describe(r)
        for r in _run(
            dlq.dead_letters(settings.kafka, settings.topic_prefix),
            _kafka(settings),
        )
    ]
    if as_json:
        typer.echo(json.dumps(letters, default=str))
        return
    _table(
        "dead letters",
        ["offset", "service", "origin", "error", "reason", "type"],
        [_dead_letter_row(letter) for letter in letters],
    )


@dlq_app.command("show")
def dlq_show(offset: int, partition: Annotated[int | None, typer.Option(help="Dead-letter partition.")] = None) -> None:
    """One dead letter in full (payload with personal data redacted); in the operations audit trail."""
    _audited(_settings(), Action.CONSULTATION, f"dlq show {offset}")
    for letter in _matching(offset, partition):
        console.print_json(json.dumps(describe(letter), default=str))


@dlq_app.command("replay")
def dlq_replay(
    offset: Annotated[int | None, typer.Argument(help="The dead letter's offset; omit with --all.")] = None,
    partition: Annotated[int | None, typer.Option(help="Dead-letter partition.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Replay every dead letter.")] = False,
) -> None:
    """Ask the service that dead-lettered each letter to read it again and apply it as its sender's."""
    if offset is None and not everything:
        _fail("give a dead letter's offset, or --all", code=2)
    settings = _settings()
    letters = _all_letters() if everything else _matching(offset, partition)
    _audited(settings, Action.ALTERATION, f"dlq replay {'--all' if everything else offset}")
    asked = _run(
        dlq.request_replays(
            settings.kafka, letters, operator=operator(), now=datetime.now(UTC), prefix=settings.topic_prefix
        ),
        _kafka(settings),
    )
    for request in asked:
        where = f"dead letter {request.partition}/{request.offset}"
        console.print(
            f"{where}: asked {request.service} to read it again"
            if request.service
            else f"{where}: names no service that can replay it; nothing asked"
        )
    console.print(
        f"{sum(1 for r in asked if r.service)} replay(s) requested: each service applies what it reads as the "
        "original sender's; a record that fails again comes back as a new dead letter"
    )


@app.command()
def report(
    by: Annotated[
        str, typer.Option(help="compliance by disposal, disposal_and_age, agency, need, offence or month")
    ] = "disposal",
    csv: Annotated[
        str | None,
        typer.Option("--csv", help="Print one table as CSV (counts under 5 suppressed): " + ", ".join(CSV_TABLES)),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The force's report: its headline figures beside the source's, compliance and completion rates, re-offending
    within 24 months over mature cohorts, the domestic-abuse and women's programmes as cohorts."""
    settings = _settings()
    where = f"the compliance service at {settings.agency_api_url}"
    if csv is not None:
        if csv not in CSV_TABLES:
            _fail(f"--csv takes one of {', '.join(CSV_TABLES)}", code=2)
        typer.echo(_run(_with_reports(settings, lambda http: fetch_csv(http, csv, by)), where), nl=False)
        return
    figures = _run(_with_reports(settings, lambda http: fetch(http, by)), where)
    if as_json:
        typer.echo(json.dumps(figures))
        return
    print_report(console, figures, by)


async def _with_reports(settings: OperationsSettings, work):
    async with httpx.AsyncClient(
        base_url=settings.agency_api_url, timeout=10, headers={"X-API-Key": settings.operations_api_key}
    ) as http:
        return await work(http)


@app.command()
def erase(
    case_id: Annotated[uuid.UUID, typer.Argument(help="The case whose person's details are to be erased.")],
    reason: Annotated[ErasureReason, typer.Option(help="Why, from a fixed list (recorded in the audit trail).")],
    force: Annotated[bool, typer.Option("--force", help="Erase although the case is not concluded.")] = False,
) -> None:
    """Erase the person's details of one case: compliance destroys the case's data key, so no copy anywhere
    can be read again; the case still counts in every report. Refused while the case is open, unless --force."""
    settings = _settings()
    _audited(settings, Action.ERASURE, f"erase: {reason.value}", case=str(case_id), purpose=Purpose.ERASURE_REQUEST)

    async def post() -> dict:
        key = {"X-API-Key": settings.operations_api_key}
        async with httpx.AsyncClient(base_url=settings.agency_api_url, timeout=10, headers=key) as http:
            answer = await http.post(
                "/v1/erasures", json={"case_id": str(case_id), "reason": reason.value, "force": force}
            )
            answer.raise_for_status()
            return answer.json()

    done = _run(post(), f"the compliance service at {settings.agency_api_url}")
    console.print(f"case {case_id}: " + ("details erased" if done["erased"] else "details were already erased"))


@app.command()
def agencies(as_json: AsJson = False) -> None:
    """Partner agencies with their capacity, active and queued referrals."""
    settings = _settings()

    async def fetch() -> list[dict]:
        router_key = {"X-API-Key": settings.router_api_key}
        async with httpx.AsyncClient(base_url=settings.router_url, timeout=10, headers=router_key) as http:
            answer = await http.get("/v1/agencies")
            answer.raise_for_status()
            return answer.json()

    rows = _run(fetch(), f"the referral router at {settings.router_url}")
    if as_json:
        typer.echo(json.dumps(rows))
        return
    _table(
        "agencies",
        ["agency", "name", "capacity", "active", "queued"],
        [[r["agency_id"], r["name"], r["capacity"], r["active"], r["queued"]] for r in rows],
    )


@app.command()
def books(as_json: AsJson = False) -> None:
    """Check the books: what each service holds about every case, condition and referral, against the owner
    (compliance), and the referral history it published. Exits 1 on any disagreement."""
    settings = _settings()
    checked = _run(
        check_books(
            settings.database_url,
            settings.schemas,
            kafka=settings.kafka,
            topic_prefix=settings.topic_prefix,
        ),
        "PostgreSQL and Kafka",
    )
    if as_json:
        typer.echo(
            json.dumps({"totals": checked.totals, "disagreements": checked.counts, "examples": checked.disagreements})
        )
    else:
        print_books(checked)
    if checked.disagreement_count:
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify(as_json: AsJson = False) -> None:
    """Recompute each service's audit chain; name the first row that was changed, removed or relinked since
    it was sealed. Exits 1 if any chain is broken. Keep the last hashes it prints: they pin the chains."""
    settings = _settings()

    async def check() -> list:
        connection = await asyncpg.connect(settings.database_url)
        try:
            schemas = [*settings.schemas.values(), audit_trail.OPERATIONS_SCHEMA]
            return [await verify_chain(connection, schema) for schema in schemas]
        finally:
            await connection.close()

    reports = _run(check(), "PostgreSQL")
    if as_json:
        typer.echo(json.dumps([{**vars(r), "intact": r.intact} for r in reports]))
    else:
        _table(
            "audit trails",
            ["schema", "rows chained", "not yet sealed", "verdict", "last hash"],
            [
                [
                    r.schema,
                    r.chained,
                    r.unsealed,
                    "intact" if r.intact else f"BROKEN at audit row {r.broken_at}: {r.problem}",
                    r.last_hash[:16],
                ]
                for r in reports
            ],
        )
    if not all(r.intact for r in reports):
        raise typer.Exit(1)


def print_books(checked) -> None:
    _table(
        "the books: what each service holds",
        ["", *SERVICES, "force topics", "by status (compliance)"],
        [
            [
                what,
                *(totals.get(s, "–") for s in (*SERVICES, "force topics")),
                ", ".join(f"{k} {v}" for k, v in sorted(checked.statuses[what].items())),
            ]
            for what, totals in checked.totals.items()
        ],
    )
    for kind, examples in checked.disagreements.items():
        console.print(f"[red]{checked.counts[kind]} {kind}[/], e.g. {'; '.join(examples)}")
    console.print(f"disagreements: [bold]{checked.disagreement_count}[/]")


def _all_letters():
    settings = _settings()
    return _run(
        dlq.dead_letters(settings.kafka, settings.topic_prefix),
        _kafka(settings),
    )


def _matching(offset: int, partition: int | None):
    found = [r for r in _all_letters() if r.offset == offset and (partition is None or r.partition == partition)]
    if not found:
        _fail(f"no dead letter at offset {offset}")
    return found


def _dead_letter_row(letter: dict) -> list:
    why = letter["dead_letter"] or {}
    origin = f"{why.get('origin_topic')}/{why.get('origin_partition')}@{why.get('origin_offset')}"
    return [letter["offset"], why.get("service"), origin, why.get("error_class"), why.get("reason"), letter["type"]]
