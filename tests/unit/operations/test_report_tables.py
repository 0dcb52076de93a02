"""The report in an 80-column terminal: every line fits, and no label is cut (the CLI once printed `adult_c…`)."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from services.operations.report_tables import print_report

AGENCIES = ("da-perpetrator-programme", "substance-misuse-treatment", "brighter-tomorrows", "liaison-and-diversion")


def _compliance(group: str) -> dict:
    return {
        "group": group,
        "completed": 1460,
        "breached": 230,
        "not_completed": 1000,
        "no_place_available": 30,
        "open": 100,
        "withdrawn": 20,
        "rate": 0.8641,
    }


def _reoffending(group: str) -> dict:
    return {"group": group, "cohort": 125, "named_within_24_months": 20, "rate": 0.16, "not_yet_mature": 3}


FIGURES = {
    "headline": [
        {
            "figure": "adult_community_resolution_completion",
            "name": "Community Resolution completion, adults",
            "count": 82,
            "cohort": 122,
            "measured": 0.672,
            "source": 0.73,
            "difference": -0.058,
        },
        {
            "figure": "a_figure_not_measured_yet",
            "name": "A figure not measured yet, whose name is long enough to need more than one line",
            "count": 0,
            "cohort": 0,
            "measured": None,
            "source": None,
            "difference": None,
        },
    ],
    "compliance": [_compliance(agency) for agency in AGENCIES] + [_compliance("no agency could take")],
    "compliance_by_age": [_compliance("youth_conditional_caution (youths)")],
    "reoffending": {"programme": [_reoffending(agency) for agency in AGENCIES]},
    "programmes": [
        {
            "programme": "domestic-abuse programme",
            "agency_id": "da-perpetrator-programme",
            "people": 25,
            "completed": 24,
            "active": 0,
            "completion_rate": 0.96,
            "needs_found": {"finances_benefits_debt": 5, "hidden_victimisation": 5},
        }
    ],
    "conditions": [{"kind": "rehabilitative", "met": 261, "breached": 19, "varied": 0, "cancelled": 3, "open": 0}],
    "police_decisions": [{"decision": "reasonable_excuse", "breach_reason": "no_place_available", "decisions": 2}],
    "service_levels": [
        {
            "agency_id": agency,
            "month": "2026-11",
            "referrals": 140,
            "accepted": 138,
            "accepted_on_time": 131,
            "median_days_to_accepted": 1.5,
            "first_contact": 137,
            "first_contact_on_time": 120,
            "median_days_to_first_contact": 2.0,
            "plan_approved": 130,
            "median_days_to_plan_approved": 6.0,
            "report": 125,
            "median_days_to_report": 28.5,
        }
        for agency in AGENCIES
    ],
    "onward_referrals": [
        {"found_by": "brighter-tomorrows", "destination": "victim-support", "outcome": "in_progress", "referrals": 7},
        {
            "found_by": "substance-misuse-treatment",
            "destination": "no agency could take",
            "outcome": "unmatched",
            "referrals": 101,
        },
    ],
    "safeguarding": [
        {
            "month": "2026-11",
            "kind": "risk_to_a_child",
            "urgency": "within_24_hours",
            "raised": 3,
            "acknowledged": 2,
            "median_hours_to_acknowledge": 1.5,
        }
    ],
}


EMPTY = {"headline": [], "compliance": [], "compliance_by_age": [], "reoffending": {}, "programmes": []}
EMPTY |= {"conditions": [], "police_decisions": [], "service_levels": [], "onward_referrals": [], "safeguarding": []}


@pytest.mark.parametrize("table", [key for key in FIGURES if key != "headline"])
def test_every_table_fits_80_columns_and_no_label_is_cut(table: str):
    """Each table alone (so that a label shown whole in one table cannot hide one cut in another)."""
    console = Console(width=80, record=True, color_system=None)

    print_report(console, {**EMPTY, "headline": FIGURES["headline"], table: FIGURES[table]}, "agency")

    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    shown = [word for row in _rows(FIGURES[table]) for word in row if isinstance(word, str)]
    for label in shown:
        for piece in re.split(r"\s+|(?<=-)", label.replace("_", " ")):
            assert piece in text, f"{piece!r} of {label!r} cut"
    for figure in (n for row in _rows(FIGURES[table]) for n in row if isinstance(n, int) and n > 99):
        assert f" {figure} " in text, f"{figure} cut"
    assert "-5.8 points" in text and "73.0%" in text


def test_headings_wrap_only_where_the_labels_would_otherwise_be_squeezed():
    console = Console(width=80, record=True, color_system=None)

    print_report(console, {**EMPTY, "reoffending": {"cohort": [_reoffending("women's programme")]}}, "agency")

    assert "not yet 24 months" in console.export_text()


def _rows(figures) -> list[list]:
    rows = figures.values() if isinstance(figures, dict) else [figures]
    return [[*row.values(), *row.get("needs_found", {})] for group in rows for row in group]
