"""The router's small HTTP API for the operations team: agencies with their capacity and load, and
the needs waiting for a place."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel

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


router = APIRouter(prefix="/v1", tags=["operations"])


@router.get("/agencies", response_model=list[AgencyLoad], summary="Agencies, their capacity and current load")
async def agencies(request: Request) -> list[AgencyLoad]:
    return [AgencyLoad(**row) for row in await agencies_with_load(request.app.state.pool)]


@router.get(
    "/unplaced",
    response_model=list[UnplacedNeeds],
    summary="Needs waiting for a place: no agency could take them, or the one chosen is full",
)
async def unplaced(request: Request) -> list[UnplacedNeeds]:
    return [UnplacedNeeds(**row) for row in await unplaced_needs(request.app.state.pool)]
