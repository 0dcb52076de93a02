"""The router's small HTTP API for the operations team: agencies with their capacity and load, the needs waiting
for a place (case ids and needs: case data, so an operations key is required), and placing such needs by hand
(the diversion team's workspace calls it with its key, naming the person who decided)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from platform_plumbing.http_conventions import API_KEY_HEADER, ErrorBody, FieldProblem, authenticate, error_response
from services.referral_router.adapters.operations_clients import OperationsClient, find_client
from services.referral_router.adapters.operations_queries import agencies_with_load, unplaced_needs
from services.referral_router.adapters.router_batch import CapacityMovedMeanwhile, RouterBatch
from services.referral_router.domain.hand_placement import REASON_LIMIT, HandDecision, HandPlacementRefused
from services.referral_router.service_layer.placement import NotUnplaced, UnknownAgency, UnknownReferral, place_by_hand
from services.referral_router.service_layer.unit_of_work import UnitOfWork


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


class HandPlacementRequest(BaseModel):
    agency_id: str = Field(min_length=1, max_length=80, description="The catalogue's id of the agency chosen.")
    reason: str = Field(
        min_length=5,
        max_length=REASON_LIMIT,
        description="Why this agency: kept in the referral's explanation, so no personal details.",
    )
    placed_by: str = Field(min_length=1, max_length=120, description="The person who decided, as the agency reads it.")
    actor: str = Field(min_length=1, max_length=200, description="Their account, for the audit trail.")


class HandPlacement(BaseModel):
    referral_id: UUID
    agency_id: str
    status: str
    """issued, or queued when the agency is full."""
    explanation: str


ATTEMPTS = 3
"""A placement meets another replica's change of the agency's load, or a deadlock with a consumer batch, rarely
twice: it is decided again on the new state."""


@router.post(
    "/unplaced/{referral_id}/placement",
    status_code=201,
    response_model=HandPlacement,
    summary="Place by hand the needs of an unmatched referral, with the agency the diversion team chose",
    responses={
        404: {"model": ErrorBody, "description": "No unmatched referral has this id."},
        409: {"model": ErrorBody, "description": "Placed already, or its case is concluded."},
        422: {"model": ErrorBody, "description": "No such agency, or it cannot take these needs for this person."},
    },
)
async def place_unplaced(
    request: Request,
    referral_id: UUID,
    body: HandPlacementRequest,
    client: Annotated[OperationsClient, Depends(operations_client)],
) -> HandPlacement | JSONResponse:
    """The new referral replaces the unmatched one and is announced like any placement; the audit trail names the
    person, and the key that carried their decision."""
    context = request.app.state.context
    decision = HandDecision(by=body.placed_by, actor=body.actor, reason=body.reason)
    for attempt in range(ATTEMPTS):
        try:
            async with request.app.state.pool.acquire() as connection, connection.transaction():
                batch = RouterBatch(capacity=context.catalogue().capacities)
                async with UnitOfWork(connection, context, batch=batch) as uow:
                    placed = await place_by_hand(referral_id, body.agency_id, decision, uow, via=client.client_id)
            break
        except (CapacityMovedMeanwhile, asyncpg.DeadlockDetectedError):
            if attempt == ATTEMPTS - 1:
                raise
        except UnknownReferral:
            return error_response(404, "not_found", "no referral has this id")
        except NotUnplaced as error:
            return error_response(409, "not_unplaced", str(error))
        except UnknownAgency:
            problem = FieldProblem(field="agency_id", message="no agency in the catalogue has this id")
            return error_response(422, "unknown_agency", "no agency in the catalogue has this id", [problem])
        except HandPlacementRefused as refused:
            problem = FieldProblem(field="agency_id", message=str(refused))
            return error_response(422, "agency_cannot_take", str(refused), [problem])
    return HandPlacement(
        referral_id=placed.referral_id,
        agency_id=placed.agency_id,
        status=placed.status.value,
        explanation=placed.explanation,
    )
