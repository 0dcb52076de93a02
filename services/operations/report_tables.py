"""The force's report in a terminal: its headline figures beside the source's, compliance, re-offending over mature
cohorts, the programmes as cohorts, conditions and police decisions, and the agencies' work (service levels, onward
referrals, safeguarding concerns) — each table readable in 80 columns (labels are words, wrapped, never cut), and
the tables of `CSV_TABLES` as CSV, as the force would publish them (counts under 5 suppressed by the compliance
service).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

CSV_TABLES = {
    "headline": ("/v1/reports/headline", {}),
    "compliance": ("/v1/reports/compliance", {"by": None}),
    "reoffending": ("/v1/reports/reoffending", {"by": None}),
    "programmes": ("/v1/reports/programmes", {}),
    "service-levels": ("/v1/reports/service-levels", {}),
    "onward-referrals": ("/v1/reports/onward-referrals", {}),
    "safeguarding": ("/v1/reports/safeguarding", {}),
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
        "service_levels": await get("/v1/reports/service-levels"),
        "onward_referrals": await get("/v1/reports/onward-referrals"),
        "safeguarding": await get("/v1/reports/safeguarding"),
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
    programmes = figures["programmes"]
    _table(
        console,
        "programmes as cohorts",
        ["programme", "agency", "people", "done", "active", "rate"],
        [
            [r["programme"], r["agency_id"], r["people"], r["completed"], r["active"], _percent(r["completion_rate"])]
            for r in programmes
        ],
        labels=2,
    )
    _table(
        console,
        "needs found in each programme's cohort",
        ["programme", "need", "people"],
        [[r["programme"], _words(need), n] for r in programmes for need, n in r["needs_found"].items()],
        labels=2,
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
            labels=2,
        )

    print_agency_work(console, figures)


def print_agency_work(console: Console, figures: dict[str, Any]) -> None:
    """Service levels (median working days from issue), onward referrals, safeguarding concerns."""
    levels = figures["service_levels"]
    clocks = [
        ("accepted", ["accepted", "on time"], ("accepted", "accepted_on_time")),
        ("first contact", ["contacted", "on time"], ("first_contact", "first_contact_on_time")),
        ("action plan approved", ["approved"], ("plan_approved",)),
        ("end-of-service report", ["reports"], ("report",)),
    ]
    for title, headings, counts in clocks:
        _table(
            console,
            f"{title}, by month of issue (median working days from issue)",
            ["agency", "month", "issued", *headings, "days"],
            [
                [
                    r["agency_id"],
                    r["month"],
                    r["referrals"],
                    *(r[c] for c in counts),
                    _days(r[f"median_days_to_{counts[0]}"]),
                ]
                for r in levels
            ],
        )
    _table(
        console,
        "onward referrals: found by, where they went, how they stand",
        ["found by", "went to", "outcome", "referrals"],
        [[r["found_by"], r["destination"], _words(r["outcome"]), r["referrals"]] for r in figures["onward_referrals"]],
        labels=3,
    )
    _table(
        console,
        "safeguarding concerns raised and taken on",
        ["kind", "urgency", "month", "raised", "taken on", "median hours"],
        [
            [
                _words(r["kind"]),
                _words(r["urgency"]),
                r["month"],
                r["raised"],
                r["acknowledged"],
                _days(r["median_hours_to_acknowledge"]),
            ]
            for r in figures["safeguarding"]
        ],
        labels=2,
    )


def print_headline(console: Console, rows: Sequence[dict]) -> None:
    """The force's figures, measured, beside the source's published ones, and how far each is."""
    _table(
        console,
        "the force's figures beside the source's (shared/SOURCE.md)",
        ["figure", "measured", "of", "source", "difference"],
        [
            [
                r["name"],
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


def _table(console: Console, title: str, columns: list[str], rows: list[list[Any]], *, labels: int = 1) -> None:
    """The first `labels` columns are words, the rest figures. Every column gets the width it needs to show its
    figures whole (a heading may wrap between words); the labels share what is left, wrapped between words or
    after a hyphen (an agency id such as `substance-misuse-treatment`), so nothing is ever cut."""
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    borders = _BORDERS_PER_COLUMN * len(columns) + 1
    figures = [max([len(columns[index])] + [len(row[index]) for row in cells]) for index in range(labels, len(columns))]
    widths = _label_widths(console.width - sum(figures) - borders, columns, cells, labels)
    if sum(widths) + sum(figures) + borders > console.width:  # headings wrap before labels are squeezed
        figures = [
            max([len(word) for word in columns[index].split()] + [len(row[index]) for row in cells])
            for index in range(labels, len(columns))
        ]
        widths = _label_widths(console.width - sum(figures) - borders, columns, cells, labels)
    table = Table(title=title, title_justify="left", expand=False)
    for index, column in enumerate(columns):
        label = index < labels
        table.add_column(column, justify="left" if label else "right", width=(widths + figures)[index])
    for row in cells:
        table.add_row(*(_wrapped(cell, widths[index]) for index, cell in enumerate(row[:labels])), *row[labels:])
    console.print(table)


_BORDERS_PER_COLUMN = 3
"""A column's left border and its padding either side."""


def _label_widths(room: int, columns: list[str], cells: list[list[str]], labels: int) -> list[int]:
    """The label columns' widths: as wide as their longest label if there is `room`; else `room` shared in
    proportion to how much each would wrap, none narrower than its longest unbreakable piece."""
    texts = [[columns[index], *(row[index] for row in cells)] for index in range(labels)]
    natural = [max(len(text) for text in column) for column in texts]
    piece = [max(len(p) for text in column for p in _PIECES.split(text)) for column in texts]
    if sum(natural) <= room:
        return natural
    spare, wanted = max(room - sum(piece), 0), [n - p for n, p in zip(natural, piece, strict=True)]
    return [p + spare * w // max(sum(wanted), 1) for p, w in zip(piece, wanted, strict=True)]


_PIECES = re.compile(r"\s+|(?<=-)")
"""Where a label may wrap: between words, and after a hyphen."""


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=True)) or text


def _words(value: str | None) -> str:
    return "" if value is None else value.replace("_", " ")


def _days(median: float | None) -> str:
    return "–" if median is None else f"{median:g}"


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1%}"
