"""Erasure for the operations team (operations key): a person's details of one case destroyed, on request.

Refused (409) while the case is still open or awaiting the police, since its agencies still need to reach
the person — unless `force` is set, which the audit trail records with the reason. Erasing twice is
harmless: the answer says the details were already gone.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field

from platform_plumbing.http_conventions import ErrorBody, error_response
from schemas.vocabulary import ErasureReason
from services.compliance.entrypoints.http_api import ERRORS, Operations, in_transaction
from services.compliance.service_layer import personal_data


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: UUID
    reason: ErasureReason
    force: bool = Field(False, description="Erase although the case is not concluded (recorded in the audit trail).")


class ErasureResult(BaseModel):
    case_id: UUID
    erased: bool = Field(description="False when the details had already been erased.")
    forced: bool = Field(description="The case was not concluded.")


router = APIRouter(prefix="/v1", tags=["operations"])
ERASURE_ERRORS = {
    **ERRORS,
    404: {"model": ErrorBody, "description": "No case with this id is known to compliance."},
    409: {"model": ErrorBody, "description": "The case is not concluded, and `force` was not set."},
}


@router.post("/erasures", response_model=ErasureResult, responses=ERASURE_ERRORS, summary="Erase a person's details")
async def erase(request: Request, body: ErasureRequest, client: Operations) -> ErasureResult:
    """Destroy the data key of the case's personal details: every sealed copy, on every topic and in every
    table, can no longer be read. The case itself, its outcome and its place in the reports stay."""

    async def work(uow) -> personal_data.Erasure:
        return await personal_data.erase(body.case_id, body.reason, uow, force=body.force, actor=client.client_id)

    done = await in_transaction(request, work)
    return ErasureResult(case_id=done.case_id, erased=done.erased, forced=done.forced)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(personal_data.UnknownCase)
    async def unknown(_: Request, error: personal_data.UnknownCase):
        return error_response(404, "case_not_found", str(error))

    @app.exception_handler(personal_data.CaseStillOpen)
    async def still_open(_: Request, error: personal_data.CaseStillOpen):
        return error_response(409, "case_not_concluded", str(error))
