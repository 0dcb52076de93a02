"""Intake's HTTP API for police systems (FastAPI; OpenAPI at /openapi.json, docs at /docs).

Every route authenticates the police client by its API key (`X-API-Key`) and acts only for that
client's force. Decisions, assessments, withdrawals, condition reports and breach decisions are the
same commands police systems may put on `diversion.decisions.v1`, validated by the same models and
handled by the same use cases. A key with the victim-contact role may only report progress on
reparation and compensation, and read a case's conditions.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Request, Response, Security

from platform_plumbing.http_conventions import (
    API_KEY_HEADER,
    ErrorBody,
    authenticate,
    command_from_request,
    error_response,
)
from schemas.commands import BreachDecision, ConditionProgress, DiversionDecision, NeedsAssessment, WithdrawCase
from schemas.fields import PoliceReference
from schemas.vocabulary import ConditionReporter
from services.intake.adapters.police_clients import PoliceClient, find_client
from services.intake.domain.deadlines import ExtensionRefused
from services.intake.entrypoints.http_models import (
    BreachDecisionRequest,
    CaseChangeResponse,
    CaseStatusResponse,
    ConditionBody,
    ConditionProgressRequest,
    DeadlineExtensionRequest,
    DecisionResponse,
)
from services.intake.service_layer import handlers, police_reports
from services.intake.service_layer.results import (
    CaseNotFound,
    CaseNotOpen,
    ConditionRefused,
    IntakeError,
    NotYourRole,
    PolicyRefused,
    WrongForce,
)
from services.intake.service_layer.unit_of_work import UnitOfWork

T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body could not be read (e.g. not UTF-8)."},
    401: {"model": ErrorBody, "description": "No API key, or not a live one."},
    403: {"model": ErrorBody, "description": "The case belongs to another force, or your role may not do this."},
    413: {"model": ErrorBody, "description": "Body larger than the limit."},
    422: {"model": ErrorBody, "description": "The body does not match the schema; `fields` says where."},
    429: {"model": ErrorBody, "description": "Too many wrong keys from this address lately: see Retry-After."},
}
CASE_ERRORS = {
    **ERRORS,
    404: {"model": ErrorBody, "description": "No such case for this force."},
    409: {"model": ErrorBody, "description": "Not possible in the case's status (named), or against policy."},
}
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", max_length=200, description="Resubmitting with the same key returns the first result."
    ),
]
Reference = Annotated[PoliceReference, Path(description="The force's own reference for the case.")]
router = APIRouter(prefix="/v1", tags=["police"])
ROLE_REPORTS = {"police": ConditionReporter.OFFICER, "victim_contact": ConditionReporter.VICTIM_CONTACT}


async def police_client(request: Request, api_key: Annotated[str | None, Security(API_KEY_HEADER)]) -> PoliceClient:
    return await authenticate(request, api_key, find_client)


async def police_role(client: Annotated[PoliceClient, Depends(police_client)]) -> PoliceClient:
    """The police system itself: every route but condition reports needs it."""
    if client.role != "police":
        raise NotYourRole("the victim-contact role may only report reparation and compensation")
    return client


Client = Annotated[PoliceClient, Depends(police_client)]
Police = Annotated[PoliceClient, Depends(police_role)]


async def in_transaction(request: Request, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run `work` in one transaction that commits before the response is sent."""
    async with (
        request.app.state.pool.acquire() as connection,
        connection.transaction(),
        UnitOfWork(connection, request.app.state.context) as uow,
    ):
        return await work(uow)


def now(request: Request):
    return request.app.state.context.clock.now()


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
    client: Police,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> DecisionResponse:
    """Check a decision against the force's policy and open the case, or record it as rejected.

    The answer explains every policy rule. A Conditional Caution needs at least one condition, each of
    a kind the policy allows for it. Resubmitting the same police reference (or the same
    `Idempotency-Key`) returns the original answer with `replayed: true` and status 200.
    """
    _check_own_force(client, decision.force_id)
    result = await in_transaction(
        request,
        lambda uow: handlers.submit_decision(
            decision,
            uow,
            received_via="http",
            actor=client.client_id,
            client_id=client.client_id,
            idempotency_key=idempotency_key,
        ),
    )
    if result.replayed:
        response.status_code = 200
    return DecisionResponse.of(result)


@router.post("/assessments", response_model=CaseChangeResponse, responses=CASE_ERRORS, summary="Submit or revise needs")
async def assess_needs(assessment: NeedsAssessment, client: Police, request: Request) -> CaseChangeResponse:
    """Record the person's assessed needs; a later assessment replaces the earlier one."""
    _check_own_force(client, assessment.force_id)
    return CaseChangeResponse.of(
        await in_transaction(request, lambda uow: handlers.assess_needs(assessment, uow, actor=client.client_id))
    )


@router.post("/withdrawals", response_model=CaseChangeResponse, responses=CASE_ERRORS, summary="Withdraw a case")
async def withdraw(withdrawal: WithdrawCase, client: Police, request: Request) -> CaseChangeResponse:
    """Withdraw a case that is open or awaiting a police decision; its open work is cancelled. Withdrawing a
    withdrawn case is harmless; a concluded one answers 409."""
    _check_own_force(client, withdrawal.force_id)
    return CaseChangeResponse.of(
        await in_transaction(request, lambda uow: handlers.withdraw_case(withdrawal, uow, actor=client.client_id))
    )


@router.post(
    "/cases/{police_reference}/deadline-extension",
    response_model=CaseChangeResponse,
    responses=CASE_ERRORS,
    summary="Extend a case's deadline to its exceptional limit",
)
async def extend(
    police_reference: Reference, extension: DeadlineExtensionRequest, client: Police, request: Request
) -> CaseChangeResponse:
    """Record the police decision to extend an open Conditional Caution from 16 to 20 weeks."""
    return CaseChangeResponse.of(
        await in_transaction(
            request,
            lambda uow: handlers.extend_deadline(
                client.force_id, police_reference, extension.reason, uow, actor=client.client_id
            ),
        )
    )


@router.post(
    "/cases/{police_reference}/conditions/{condition_id}/progress",
    response_model=CaseChangeResponse,
    responses=CASE_ERRORS,
    summary="Report progress on a condition (officer, or the victim-contact role)",
)
async def report_progress(
    police_reference: Reference, condition_id: UUID, body: ConditionProgressRequest, client: Client, request: Request
) -> CaseChangeResponse:
    """A payment received (instalments add up to the amount), hours of unpaid work done, a letter sent, a
    condition completed — or that the person did not comply, which breaches it. Conditions an agency
    delivers are reported by that agency; the victim-contact role reports reparation and compensation."""
    report = command_from_request(
        ConditionProgress,
        force_id=client.force_id,
        police_reference=police_reference,
        condition_id=condition_id,
        reported_by=ROLE_REPORTS[client.role],
        report=body.report,
        amount_pence=body.amount_pence,
        hours=body.hours,
        occurred_at=body.occurred_at or now(request),
    )
    return CaseChangeResponse.of(
        await in_transaction(request, lambda uow: police_reports.report_condition(report, uow, actor=client.client_id))
    )


@router.post(
    "/cases/{police_reference}/breach-decision",
    response_model=CaseChangeResponse,
    responses=CASE_ERRORS,
    summary="Record the police decision on a case awaiting one",
)
async def decide_breach(
    police_reference: Reference, body: BreachDecisionRequest, client: Police, request: Request
) -> CaseChangeResponse:
    """After a breach (or a case that could not be complied with for want of a place): `reasonable_excuse`
    continues the case — with `varied_conditions` replacing every condition not yet met and/or a new
    `complete_by` within the legal maximum; varied conditions need `person_consents_to_variation` —,
    `prosecute` for the original offence (not where no place was available), or `no_further_action`. One
    decision per breach, quoting its `breach_sequence`."""
    decision = command_from_request(
        BreachDecision,
        force_id=client.force_id,
        police_reference=police_reference,
        decision=body.decision,
        breach_sequence=body.breach_sequence,
        officer=body.officer,
        decided_at=body.decided_at or now(request),
        reason=body.reason,
        complete_by=body.complete_by,
        varied_conditions=body.varied_conditions,
        person_consents_to_variation=body.person_consents_to_variation,
    )
    return CaseChangeResponse.of(
        await in_transaction(request, lambda uow: police_reports.decide_breach(decision, uow, actor=client.client_id))
    )


@router.get(
    "/cases/{police_reference}",
    response_model=CaseStatusResponse,
    responses=CASE_ERRORS,
    summary="Read a case: status, conditions, referrals and history",
)
async def read(police_reference: Reference, client: Police, request: Request) -> CaseStatusResponse:
    return CaseStatusResponse.of(
        await in_transaction(
            request, lambda uow: handlers.read_case(client.force_id, police_reference, uow, actor=client.client_id)
        )
    )


@router.get(
    "/cases/{police_reference}/conditions",
    response_model=list[ConditionBody],
    responses=CASE_ERRORS,
    summary="Read a case's conditions and their progress",
)
async def read_conditions(police_reference: Reference, client: Client, request: Request) -> list[ConditionBody]:
    """For the officer and the victim-contact role: the conditions to report on, with their ids."""
    view = await in_transaction(
        request, lambda uow: handlers.read_case(client.force_id, police_reference, uow, actor=client.client_id)
    )
    return [ConditionBody.of(condition) for condition in view.conditions]


ERROR_STATUS: dict[type[IntakeError], int] = {
    CaseNotFound: 404,
    CaseNotOpen: 409,
    ConditionRefused: 409,
    PolicyRefused: 409,
    WrongForce: 403,
    NotYourRole: 403,
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(IntakeError)
    async def refused(_: Request, error: IntakeError):
        return error_response(ERROR_STATUS.get(type(error), 409), _code(error), str(error))

    @app.exception_handler(ExtensionRefused)
    async def extension_refused(_: Request, error: ExtensionRefused):
        return error_response(409, "extension_refused", str(error))


def _check_own_force(client: PoliceClient, force_id: str) -> None:
    if client.force_id != force_id:
        raise WrongForce("a police client may act only for its own force")


def _code(error: Exception) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in type(error).__name__).lstrip("_")
