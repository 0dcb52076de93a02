"""The force's report tables, each once: how it is read, its row model, and which of its columns are rates of which
count (what a CSV export suppresses, see `report_export`). The operations API (`report_routes`) and the diversion
team's report pages (`web/report_pages`) read and export them through this table, so a table means the same thing,
and is suppressed the same way, wherever it is downloaded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from fastapi.responses import Response
from pydantic import BaseModel

from services.compliance.entrypoints.http_models import (
    ComplianceRow,
    HeadlineRow,
    OnwardReferralRow,
    ProgrammeCohortRow,
    ReoffendingRow,
    SafeguardingRow,
    ServiceLevelRow,
)
from services.compliance.entrypoints.report_export import csv_response
from services.compliance.service_layer import reports, work_reports
from services.compliance.service_layer.reports import Db
from services.compliance.service_layer.unit_of_work import ComplianceContext

Read = Callable[[Db, ComplianceContext, StrEnum | None], Awaitable[list[dict]]]


@dataclass(frozen=True)
class ReportTable:
    title: str
    model: type[BaseModel]
    read: Read
    denominator: str
    """The count the rates are worked out of: a rate over fewer than 5 is suppressed in an export."""
    rates: tuple[str, ...] = ()
    by: type[StrEnum] | None = None
    """The dimensions the table may be broken down by; None: one breakdown only."""

    def breakdown(self, value: str | None) -> StrEnum | None:
        """The breakdown `value` names, the first when None (as the API's default); ValueError when the table has no
        such breakdown (or none at all)."""
        if self.by is None:
            if value is not None:
                raise ValueError(f"this table has no breakdown {value!r}")
            return None
        return self.by(value) if value is not None else next(iter(self.by))

    def file_name(self, name: str, by: StrEnum | None) -> str:
        return f"{name}-by-{by.value}" if by is not None else name

    def as_csv(self, rows: list[dict], name: str, by: StrEnum | None) -> Response:
        return csv_response(
            rows,
            list(self.model.model_fields),
            name=self.file_name(name, by),
            denominator=self.denominator,
            rates=self.rates,
        )


TABLES: dict[str, ReportTable] = {
    "headline": ReportTable(
        "The force's figures beside the source's",
        HeadlineRow,
        lambda db, context, _: reports.headline(db, now=context.clock.now()),
        denominator="cohort",
        rates=("measured", "difference"),
    ),
    "compliance": ReportTable(
        "Compliance rates",
        ComplianceRow,
        lambda db, _, by: reports.compliance_rates(db, by),
        denominator="concluded",
        rates=("rate",),
        by=reports.ComplianceDimension,
    ),
    "reoffending": ReportTable(
        "Named in a new investigation within 24 months (mature cohorts)",
        ReoffendingRow,
        lambda db, context, by: reports.reoffending_within_24_months(db, by, now=context.clock.now()),
        denominator="cohort",
        rates=("rate",),
        by=reports.ReoffendingDimension,
    ),
    "programmes": ReportTable(
        "The domestic-abuse and women's programmes as cohorts",
        ProgrammeCohortRow,
        lambda db, _, __: reports.programme_cohorts(db),
        denominator="referrals",
        rates=("completion_rate",),
    ),
    "service-levels": ReportTable(
        "Service levels per agency and month",
        ServiceLevelRow,
        lambda db, context, _: work_reports.service_levels(db, context.workflow.bank_holidays),
        denominator="referrals",
    ),
    "onward-referrals": ReportTable(
        "Onward referrals",
        OnwardReferralRow,
        lambda db, _, __: work_reports.onward_referrals(db),
        denominator="referrals",
    ),
    "safeguarding": ReportTable(
        "Safeguarding concerns raised and taken on",
        SafeguardingRow,
        lambda db, _, __: work_reports.safeguarding(db),
        denominator="raised",
    ),
}
