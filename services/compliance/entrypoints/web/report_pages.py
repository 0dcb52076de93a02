"""The force's reports in the diversion team's workspace (issue 25): the headline figures beside the source's,
compliance and re-offending rates by a chosen breakdown, the programmes as cohorts and the agencies' work, each a
chart (where it has a rate) over its table, and each table a CSV download suppressed as the force publishes
(`report_tables`, the same tables the operations API serves).

Signed in as themselves, the team and operations read them; each page and each download is a consultation in the
audit trail under the person's name (the breakdown by agency names programmes a person may be known to attend)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from platform_plumbing.audit_trail import Action, Purpose
from services.compliance.adapters.people_store import Session
from services.compliance.entrypoints.http_api import in_transaction
from services.compliance.entrypoints.report_tables import TABLES
from services.compliance.entrypoints.web.pages import Option, page, percent, words
from services.compliance.entrypoints.web.signed_in import team_session
from services.compliance.service_layer.reports import ComplianceDimension, ReoffendingDimension

router = APIRouter(prefix="/team/reports", include_in_schema=False)
TeamPerson = Annotated[Session, Depends(team_session)]
NO_AGENCY = "Needs no agency could take"


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: a rate from 0 to 1 (None: nothing to work it out of yet)."""

    series: str
    rate: float | None
    missing: str = "none yet"
    """What the bar says without a rate."""

    @property
    def width(self) -> float:
        return round(max(0.0, min(self.rate or 0.0, 1.0)) * 100, 1)

    @property
    def shown(self) -> str:
        return self.missing if self.rate is None else percent(self.rate)


@dataclass(frozen=True)
class ChartRow:
    label: str
    bars: tuple[Bar, ...]


@router.get("", response_class=HTMLResponse)
async def reports_page(
    request: Request,
    session: TeamPerson,
    compliance_by: str = ComplianceDimension.DISPOSAL_AND_AGE.value,
    reoffending_by: str = ReoffendingDimension.COHORT.value,
) -> Response:
    try:
        by = {
            name: TABLES[name].breakdown(value)
            for name, value in (("compliance", compliance_by), ("reoffending", reoffending_by))
        }
    except ValueError:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    context = request.app.state.context
    names = context.workflow.names

    async def read(uow) -> dict[str, list[dict]]:
        _consulted(uow, session, "reports page")
        return {name: await table.read(uow.connection, context, by.get(name)) for name, table in TABLES.items()}

    rows = await in_transaction(request, read)

    def label(group: str | None, dimension: StrEnum | None = None) -> str:
        if not group:
            return NO_AGENCY
        by_agency = dimension in (ComplianceDimension.AGENCY, ReoffendingDimension.PROGRAMME)
        return names.get(group, words(group)) if by_agency else words(group)

    def rated(name: str) -> list[ChartRow]:
        return [ChartRow(label(r["group"], by[name]), (Bar("Rate", r["rate"]),)) for r in rows[name]]

    charts = {
        "headline": [
            ChartRow(r["name"], (Bar("Measured", r["measured"]), Bar("Published", r["source"], "not published")))
            for r in rows["headline"]
        ],
        "compliance": rated("compliance"),
        "reoffending": rated("reoffending"),
        "programmes": [ChartRow(r["programme"], (Bar("Completed", r["completion_rate"]),)) for r in rows["programmes"]],
    }
    return page(
        request,
        "reports.html",
        session=session,
        errors={},
        tables=TABLES,
        rows=rows,
        charts=charts,
        by=by,
        label=label,
        agency_names=names,
        compliance_choices=[Option(d.value, words(d.value)) for d in ComplianceDimension],
        reoffending_choices=[Option(d.value, words(d.value)) for d in ReoffendingDimension],
        form={"compliance_by": by["compliance"].value, "reoffending_by": by["reoffending"].value},
    )


@router.get("/{name}.csv")
async def download(request: Request, name: str, session: TeamPerson, by: str | None = None) -> Response:
    """The table as the force would publish it: counts under 5 shown as `<5`, rates over them suppressed."""
    try:
        table = TABLES[name]
        dimension = table.breakdown(by)
    except (KeyError, ValueError):
        return page(request, "problem.html", 404, title="Page not found", session=session)
    context = request.app.state.context

    async def read(uow) -> list[dict]:
        _consulted(uow, session, f"report {table.file_name(name, dimension)}.csv")
        return await table.read(uow.connection, context, dimension)

    return table.as_csv(await in_transaction(request, read), name, dimension)


def _consulted(uow, session: Session, what: str) -> None:
    uow.audit(
        actor=session.person.actor, action=Action.CONSULTATION, purpose=Purpose.COMPLIANCE_MONITORING, detail=what
    )
