"""The force's report in a terminal: its headline figures beside the source's, compliance, re-offending over mature
cohorts, the programmes as cohorts, conditions and police decisions — each table readable in 80 columns (labels
are words, wrapped, never cut), and any of the first four as CSV, as the force would publish it (counts under 5
suppressed by the compliance service).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

SOURCE_NAMES = {
    "conditional_caution_compliance": "Conditional Caution compliance",
    "adult_community_resolution_completion": "Community Resolution completion, adults",
    "youth_community_resolution_completion": "Community Resolution completion, youths",
    "domestic_abuse_named_within_24_months": "domestic-abuse programme: named again within 24 months",
    "named_within_24_months": "everyone: named again within 24 months",
}
CSV_TABLES = {
    "headline": ("/v1/reports/headline", {}),
    "compliance": ("/v1/reports/compliance", {"by": None}),
    "reoffending": ("/v1/reports/reoffending", {"by": None}),
    "programmes": ("/v1/reports/programmes", {}),
}
"""What `diversion report --csv TABLE` exports (a `None` parameter takes `--by`)."""


async def fetch(http: httpx.AsyncClient, by: str) -> dict[str, Any]:
    """Every table of the report, from the compliance service's report API."""

    async def get(path: str, **params: str) -> Any:
        answer = await http.get(path, params=params)
        answer.raise_for_status()
        return answer.json()

    return {
        "headline": await get("/v1/reports/headline"),
        "compliance": await get("/v1/reports/compliance", by=by),
        "compliance_by_age": await get("/v1/reports/compliance", by="disposal_and_age"),
        "reoffending": {d: await get("/v1/reports/reoffending", by=d) for d in ("disposal", "cohort", "programme")},
        "programmes": await get("/v1/reports/programmes"),
        "conditions": await get("/v1/reports/conditions"),
        "police_decisions": await get("/v1/reports/police-decisions"),
    }


async def fetch_csv(http: httpx.AsyncClient, table: str, by: str) -> str:
    path, params = CSV_TABLES[table]
    answer = await http.get(path, params={"format": "csv", **{k: v or by for k, v in params.items()}})
    answer.raise_for_status()
    return answer.text


def print_report(console: Console, figures: dict[str, Any], by: str, *, outcomes: bool = True) -> None:
    print_headline(console, figures["headline"])
    _compliance(console, f"compliance by {_words(by)}", figures["compliance"])
    if by != "disposal_and_age":
        _compliance(console, "compliance by disposal, adults and youths apart", figures["compliance_by_age"])
    for dimension, rows in figures["reoffending"].items():
        _table(
            console,
            f"named in a new investigation within 24 months, by {dimension} (mature cohorts only)",
            [dimension, "cohort", "named", "rate", "not yet 24 months"],
            [
                [_words(r["group"]), r["cohort"], r["named_within_24_months"], _percent(r["rate"]), r["not_yet_mature"]]
                for r in rows
            ],
        )
    _table(
        console,
        "programmes as cohorts",
        ["programme", "agency", "people", "done", "active", "rate", "needs found"],
        [
            [
                r["programme"],
                r["agency_id"],
                r["people"],
                r["completed"],
                r["active"],
                _percent(r["completion_rate"]),
                ", ".join(f"{_words(need)} {n}" for need, n in r["needs_found"].items()),
            ]
            for r in figures["programmes"]
        ],
    )
    if outcomes:
        _table(
            console,
            "conditions by kind and outcome",
            ["kind", "met", "breached", "varied", "cancelled", "open"],
            [
                [r["kind"], r["met"], r["breached"], r["varied"], r["cancelled"], r["open"]]
                for r in figures["conditions"]
            ],
        )
        _table(
            console,
            "police decisions after a breach (or no place available)",
            ["decision", "after", "decisions"],
            [[_words(r["decision"]), _words(r["breach_reason"]), r["decisions"]] for r in figures["police_decisions"]],
        )


def print_headline(console: Console, rows: Sequence[dict]) -> None:
    """The force's figures, measured, beside the source's published ones, and how far each is."""
    _table(
        console,
        "the force's figures beside the source's (shared/SOURCE.md)",
        ["figure", "measured", "of", "source", "difference"],
        [
            [
                SOURCE_NAMES.get(r["figure"], _words(r["figure"])),
                _percent(r["measured"]),
                r["cohort"],
                _percent(r["source"]),
                "–" if r["difference"] is None else f"{r['difference'] * 100:+.1f} points",
            ]
            for r in rows
        ],
    )


def _compliance(console: Console, title: str, rows: Sequence[dict]) -> None:
    _table(
        console,
        title,
        ["group", "done", "breach", "not done", "no place", "open", "w/drawn", "rate"],
        [
            [
                _words(r["group"]),
                r["completed"],
                r["breached"],
                r["not_completed"],
                r["no_place_available"],
                r["open"],
                r["withdrawn"],
                _percent(r["rate"]),
            ]
            for r in rows
        ],
    )


def _table(console: Console, title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left", expand=False)
    for index, column in enumerate(columns):
        first = index == 0
        table.add_column(column, justify="left" if first else "right", overflow="fold", ratio=3 if first else 1)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def _words(value: str | None) -> str:
    return "" if value is None else value.replace("_", " ")


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1%}"
