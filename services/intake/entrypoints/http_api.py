"""Intake's HTTP API for police systems (FastAPI; OpenAPI at /openapi.json, docs at /docs).

Every route authenticates the police client by its API key (`X-API-Key`) and acts only for
that client's force. Decisions, assessments and withdrawals are the same commands police
systems may put on `diversion.decisions.v1`, validated by the same models and handled by the
same use cases.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Request, Response, Security

from platform_plumbing.http_conventions import API_KEY_HEADER, ErrorBody, authenticate, error_response
from schemas.commands import DiversionDecision, NeedsAssessment, WithdrawCase
from schemas.fields import PoliceReference
from services.intake.adapters.police_clients import PoliceClient, find_client
from services.intake.domain.deadlines import ExtensionRefused
from services.intake.entrypoints.http_models import (
    CaseChangeResponse,
    CaseStatusResponse,
    DeadlineExtensionRequest,
    DecisionResponse,
)
from services.intake.service_layer import handlers
from services.intake.service_layer.results import CaseNotFound, CaseNotOpen, IntakeError, WrongForce
from services.intake.service_layer.unit_of_work import IntakeContext, UnitOfWork

T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body could not be read (e.g. not UTF-8)."},
    401: {"model": ErrorBody, "description": "No API key, or not a live one."},
    403: {"model": ErrorBody, "description": "The case belongs to another force."},
    413: {"model": ErrorBody, "description": "Body larger than the limit."},
    422: {"model": ErrorBody, "description": "The body does not match the schema; `fields` says where."},
}
CASE_ERRORS = {
    **ERRORS,
    404: {"model": ErrorBody, "description": "No such case for this force."},
    409: {"model": ErrorBody, "description": "The case is not in a state that allows this."},
}
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", max_length=200, description="Resubmitting with the same key returns the first result."
    ),
]
Reference = Annotated[PoliceReference, Path(description="The force's own reference for the case.")]


def build_router(context: IntakeContext) -> APIRouter:
    """The police routes; they find the database pool on `app.state.pool`, set by the app's lifespan."""

    async def police_client(request: Request, api_key: Annotated[str | None, Security(API_KEY_HEADER)]) -> PoliceClient:
        return await authenticate(request, api_key, find_client)

    Client = Annotated[PoliceClient, Depends(police_client)]

    async def in_transaction(request: Request, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run `work` in one transaction that commits before the response is sent."""
        async with request.app.state.pool.acquire() as connection, connection.transaction():
            return await work(UnitOfWork(connection, context))

    router = APIRouter(prefix="/v1", tags=["police"])

    @router.post(
        "/decisions",
        status_code=201,
        response_model=DecisionResponse,
        responses={
            **ERRORS,
            200: {"model": DecisionResponse, "description": "A resubmission: the original result, `replayed: true`."},
        },
        summary="Submit a diversion decision",
    )
    async def submit_decision(
        decision: DiversionDecision,
        client: Client,
        request: Request,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> DecisionResponse:
        """Check a decision against the force's policy and open the case, or record it as rejected.

        The answer explains every policy rule. Resubmitting the same police reference (or the same
        `Idempotency-Key`) returns the original answer with `replayed: true` and status 200.
        """
        _check_own_force(client, decision.force_id)
        result = await in_transaction(
            request,
            lambda uow: handlers.submit_decision(
                decision, uow, received_via="http", client_id=client.client_id, idempotency_key=idempotency_key
            ),
        )
        if result.replayed:
            response.status_code = 200
        return DecisionResponse.of(result)

    @router.post(
        "/assessments",
        response_model=CaseChangeResponse,
        responses=CASE_ERRORS,
        summary="Submit or revise a needs assessment",
    )
    async def assess_needs(assessment: NeedsAssessment, client: Client, request: Request) -> CaseChangeResponse:
        """Record the person's assessed needs; a later assessment replaces the earlier one."""
        _check_own_force(client, assessment.force_id)
        return CaseChangeResponse.of(await in_transaction(request, lambda uow: handlers.assess_needs(assessment, uow)))

    @router.post("/withdrawals", response_model=CaseChangeResponse, responses=CASE_ERRORS, summary="Withdraw a case")
    async def withdraw(withdrawal: WithdrawCase, client: Client, request: Request) -> CaseChangeResponse:
        """Withdraw an open case; its open referrals are cancelled. Withdrawing twice is harmless."""
        _check_own_force(client, withdrawal.force_id)
        return CaseChangeResponse.of(await in_transaction(request, lambda uow: handlers.withdraw_case(withdrawal, uow)))

    @router.post(
        "/cases/{police_reference}/deadline-extension",
        response_model=CaseChangeResponse,
        responses=CASE_ERRORS,
        summary="Extend a case's deadline to its exceptional limit",
    )
    async def extend(
        police_reference: Reference, extension: DeadlineExtensionRequest, client: Client, request: Request
    ) -> CaseChangeResponse:
        """Record the police decision to extend a Conditional Caution from 16 to 20 weeks."""
        return CaseChangeResponse.of(
            await in_transaction(
                request, lambda uow: handlers.extend_deadline(client.force_id, police_reference, extension.reason, uow)
            )
        )

    @router.get(
        "/cases/{police_reference}",
        response_model=CaseStatusResponse,
        responses=CASE_ERRORS,
        summary="Read a case's status, deadlines and history",
    )
    async def read(police_reference: Reference, client: Client, request: Request) -> CaseStatusResponse:
        return CaseStatusResponse.of(
            await in_transaction(request, lambda uow: handlers.read_case(client.force_id, police_reference, uow))
        )

    return router


def install_error_handlers(app) -> None:
    @app.exception_handler(IntakeError)
    async def refused(_: Request, error: IntakeError):
        status = {CaseNotFound: 404, CaseNotOpen: 409, WrongForce: 403}.get(type(error), 409)
        return error_response(status, _code(error), str(error))

    @app.exception_handler(ExtensionRefused)
    async def extension_refused(_: Request, error: ExtensionRefused):
        return error_response(409, "extension_refused", str(error))


def _check_own_force(client: PoliceClient, force_id: str) -> None:
    if client.force_id != force_id:
        raise WrongForce("a police client may act only for its own force")


def _code(error: Exception) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in type(error).__name__).lstrip("_")
