"""Reports for the operations team (operations key): compliance rates, reoffending, the cases waiting
for a police decision, conditions by kind and outcome, and the police's decisions after breaches."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from services.compliance.adapters.gateway_clients import GatewayClient
from services.compliance.entrypoints.http_api import ERRORS, Operations
from services.compliance.entrypoints.http_models import (
    AwaitingRow,
    ComplianceRow,
    ConditionRow,
    PoliceDecisionRow,
    ReoffendingRow,
)
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


@router.get("/compliance", response_model=list[ComplianceRow], responses=ERRORS, summary="Compliance rates")
async def compliance_report(
    request: Request, by: reports.ComplianceDimension = reports.ComplianceDimension.DISPOSAL
) -> list[dict]:
    return await reports.compliance_rates(request.app.state.pool, by)


@router.get(
    "/reoffending",
    response_model=list[ReoffendingRow],
    responses=ERRORS,
    summary="Named in a new investigation within 24 months",
)
async def reoffending_report(
    request: Request, by: reports.ReoffendingDimension = reports.ReoffendingDimension.DISPOSAL
) -> list[dict]:
    return await reports.reoffending_within_24_months(request.app.state.pool, by)


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
