"""The router's small HTTP API for the operations team: agencies with their capacity and load, and
the needs waiting for a place (case ids and needs: case data, so an operations key is required)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Security
from pydantic import BaseModel

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from platform_plumbing.http_conventions import API_KEY_HEADER, ErrorBody, authenticate
from services.referral_router.adapters.operations_clients import OperationsClient, find_client
from services.referral_router.adapters.operations_queries import agencies_with_load, unplaced_needs


class AgencyLoad(BaseModel):
    agency_id: str
    name: str
    capacity: int
    active: int
    queued: int


class UnplacedNeeds(BaseModel):
    case_id: UUID
    referral_id: UUID
    agency_id: str | None = None
    needs: list[str]
    status: str = "unmatched"
    explanation: str
    created_at: datetime


async def operations_client(
    request: Request, api_key: Annotated[str | None, Security(API_KEY_HEADER)]
) -> OperationsClient:
    return await authenticate(request, api_key, find_client)


ERRORS: dict[int | str, dict] = {
    401: {"model": ErrorBody, "description": "No API key, or not a live one."},
    429: {"model": ErrorBody, "description": "Too many wrong keys from this address lately: see Retry-After."},
}
router = APIRouter(prefix="/v1", tags=["operations"], dependencies=[Depends(operations_client)], responses=ERRORS)


@router.get("/agencies", response_model=list[AgencyLoad], summary="Agencies, their capacity and current load")
async def agencies(request: Request) -> list[AgencyLoad]:
    return [AgencyLoad(**row) for row in await agencies_with_load(request.app.state.pool)]


@router.get(
    "/unplaced",
    response_model=list[UnplacedNeeds],
    summary="Needs waiting for a place: no agency could take them, or the one chosen is full",
)
async def unplaced(
    request: Request, client: Annotated[OperationsClient, Depends(operations_client)]
) -> list[UnplacedNeeds]:
    """Names cases and their needs, so each read is a consultation in the router's audit trail."""
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        read = AuditEntry(
            actor=client.client_id,
            action=Action.CONSULTATION,
            purpose=Purpose.OPERATIONS_SUPPORT,
            at=request.app.state.context.clock.now(),
            detail="unplaced needs",
        )
        await audit_trail.record(connection, read)
        return [UnplacedNeeds(**row) for row in await unplaced_needs(connection)]
