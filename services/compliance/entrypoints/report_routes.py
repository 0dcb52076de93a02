"""Reports for the operations team (operations key): compliance rates, reoffending, the cases waiting
for a police decision, conditions by kind and outcome, the police's decisions after breaches, and the agencies'
work — service levels, onward referrals, safeguarding concerns."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from services.compliance.adapters.gateway_clients import GatewayClient
from services.compliance.entrypoints.http_api import ERRORS, Operations
from services.compliance.entrypoints.http_models import (
    AwaitingRow,
    ComplianceRow,
    ConditionRow,
    HeadlineRow,
    OnwardReferralRow,
    PoliceDecisionRow,
    ProgrammeCohortRow,
    ReoffendingRow,
    SafeguardingRow,
    ServiceLevelRow,
)
from services.compliance.entrypoints.report_tables import TABLES
from services.compliance.service_layer import reports


async def audited_reader(request: Request, client: Operations) -> GatewayClient:
    """Only the operations team reads reports, and each read is a consultation in the audit trail (the
    breaches report names cases by police reference)."""
    async with request.app.state.pool.acquire() as connection:
        read = AuditEntry(
            actor=client.client_id,
            action=Action.CONSULTATION,
            purpose=Purpose.COMPLIANCE_MONITORING,
            at=request.app.state.context.clock.now(),
            detail=f"report {request.url.path.removeprefix('/v1/reports/')}",
        )
        await audit_trail.record(connection, read)
    return client


router = APIRouter(prefix="/v1/reports", tags=["operations"], dependencies=[Depends(audited_reader)])


Format = Literal["json", "csv"]
AS = Query("json", description="`csv` for a download with counts under 5 suppressed (as the force publishes).")


@router.get("/compliance", response_model=list[ComplianceRow], responses=ERRORS, summary="Compliance rates")
async def compliance_report(
    request: Request, by: reports.ComplianceDimension = reports.ComplianceDimension.DISPOSAL, format: Format = AS
):
    """Completed ÷ concluded, by disposal (`disposal_and_age`: adults and youths apart), agency (the needs no agency
    could take as such), need, offence or month of decision."""
    return await _table(request, "compliance", format, by)


@router.get(
    "/reoffending",
    response_model=list[ReoffendingRow],
    responses=ERRORS,
    summary="Named in a new investigation within 24 months, over the mature cohort",
)
async def reoffending_report(
    request: Request, by: reports.ReoffendingDimension = reports.ReoffendingDimension.DISPOSAL, format: Format = AS
):
    """Only people whose 24 months have passed count (`cohort`); those diverted more recently are `not_yet_mature`.
    By disposal, programme (agency), cohort (the domestic-abuse and women's programmes) or month of decision."""
    return await _table(request, "reoffending", format, by)


@router.get(
    "/programmes",
    response_model=list[ProgrammeCohortRow],
    responses=ERRORS,
    summary="The domestic-abuse and women's programmes as cohorts",
)
async def programmes_report(request: Request, format: Format = AS):
    return await _table(request, "programmes", format)


@router.get(
    "/headline", response_model=list[HeadlineRow], responses=ERRORS, summary="The force's figures beside the source's"
)
async def headline_report(request: Request, format: Format = AS):
    """Conditional Caution compliance, Community Resolution completion (adults, youths), named again within 24
    months (mature cohorts; domestic-abuse programme), each with its cohort and the published figure beside it."""
    return await _table(request, "headline", format)


@router.get(
    "/service-levels",
    response_model=list[ServiceLevelRow],
    responses=ERRORS,
    summary="Service levels per agency and month: to accept, first contact, approved plan, end-of-service report",
)
async def service_levels_report(request: Request, format: Format = AS):
    """In working days from issue (weekends and the bank holidays of England and Wales skipped); by the month the
    referral was issued."""
    return await _table(request, "service-levels", format)


@router.get(
    "/onward-referrals",
    response_model=list[OnwardReferralRow],
    responses=ERRORS,
    summary="Onward referrals by the agency that made them, where they went and how they ended",
)
async def onward_referrals_report(request: Request, format: Format = AS):
    return await _table(request, "onward-referrals", format)


@router.get(
    "/safeguarding",
    response_model=list[SafeguardingRow],
    responses=ERRORS,
    summary="Safeguarding concerns raised and taken on, by month, kind and urgency",
)
async def safeguarding_report(request: Request, format: Format = AS):
    return await _table(request, "safeguarding", format)


async def _table(request: Request, name: str, format: str, by: StrEnum | None = None):
    table = TABLES[name]
    rows = await table.read(request.app.state.pool, request.app.state.context, by)
    return table.as_csv(rows, name, by) if format == "csv" else rows


@router.get(
    "/breaches",
    response_model=list[AwaitingRow],
    responses=ERRORS,
    summary="Cases awaiting a police decision: breaches, and cases that could not be complied with",
)
async def breaches_report(request: Request) -> list[dict]:
    return await reports.awaiting_police(request.app.state.pool)


@router.get("/conditions", response_model=list[ConditionRow], responses=ERRORS, summary="Conditions by kind")
async def conditions_report(request: Request) -> list[dict]:
    return await reports.conditions_by_kind(request.app.state.pool)


@router.get(
    "/police-decisions",
    response_model=list[PoliceDecisionRow],
    responses=ERRORS,
    summary="The police's decisions after breaches, by what was breached",
)
async def police_decisions_report(request: Request) -> list[dict]:
    return await reports.police_decisions(request.app.state.pool)
