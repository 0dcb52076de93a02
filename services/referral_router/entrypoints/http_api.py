"""The router's small HTTP API: agencies with their capacity and load, for the operations team."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.referral_router.adapters.catalogue_store import agencies_with_load


class AgencyLoad(BaseModel):
    agency_id: str
    name: str
    capacity: int
    active: int
    queued: int


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["operations"])

    @router.get("/agencies", response_model=list[AgencyLoad], summary="Agencies, their capacity and current load")
    async def agencies(request: Request) -> list[AgencyLoad]:
        return [AgencyLoad(**row) for row in await agencies_with_load(request.app.state.pool)]

    return router
