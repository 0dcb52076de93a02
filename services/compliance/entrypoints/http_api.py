"""The agency gateway: each partner agency sees and updates only its own referrals.

An agency authenticates with its API key (`X-API-Key`). A referral it does not hold answers 404
on every route, exactly as one that does not exist, so nothing leaks about other agencies'
work. Reading a referral returns what the agency needs to work with the person — the brief (what
it must deliver) and the contact details, only the fields its catalogue entry allows — and that
read is written to the audit log in the same transaction. Reports are for the operations key.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Security

from platform_plumbing.audit_trail import Action, Purpose
from platform_plumbing.http_conventions import (
    API_KEY_HEADER,
    ErrorBody,
    FieldProblem,
    Forbidden,
    authenticate,
    error_response,
    refused_as_request,
)
from schemas.commands import (
    AppointmentAttended,
    AppointmentMissed,
    AppointmentScheduled,
    Disengaged,
    InterventionCompleted,
    ReferralAccepted,
    ReferralDeclined,
    Withdrawn,
)
from schemas.commands.agency import AgencyUpdate
from schemas.vocabulary import ReferralStatus
from services.compliance.adapters import agency_views
from services.compliance.adapters.gateway_clients import GatewayClient, find_client
from services.compliance.domain.agency_reports import ImplausibleTime
from services.compliance.domain.referral_progress import OPEN, IllegalTransition
from services.compliance.entrypoints.http_models import (
    AcceptRequest,
    AttendedRequest,
    CompletionRequest,
    DeclineRequest,
    DisengagementRequest,
    MissedRequest,
    ReferralDetail,
    ReferralSummary,
    ScheduleRequest,
    UpdateRecord,
    UpdateResponse,
    WithdrawalRequest,
)
from services.compliance.entrypoints.work_models import WorkView
from services.compliance.service_layer import agency_work, handlers, personal_data
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork

T = TypeVar("T")


class AgencyPurpose(StrEnum):
    """The purposes for which an agency may read a referral (a subset of the audit trail's `Purpose`)."""

    ARRANGING_CONTACT = Purpose.ARRANGING_CONTACT.value
    DELIVERING_INTERVENTION = Purpose.DELIVERING_INTERVENTION.value
    REPORTING_PROGRESS = Purpose.REPORTING_PROGRESS.value


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body could not be read."},
    401: {"model": ErrorBody, "description": "No API key, or not a live one."},
    403: {"model": ErrorBody, "description": "This key may not use this route."},
    404: {"model": ErrorBody, "description": "No referral with this id is held by your agency."},
    413: {"model": ErrorBody, "description": "Body larger than the limit."},
    422: {"model": ErrorBody, "description": "The body does not match the schema, or its time cannot be right."},
    429: {"model": ErrorBody, "description": "Too many wrong keys from this address lately: see Retry-After."},
}
UPDATE_ERRORS = {**ERRORS, 409: {"model": ErrorBody, "description": "The update contradicts the referral's state."}}
router = APIRouter(prefix="/v1", tags=["partner agencies"])


async def gateway_client(request: Request, api_key: Annotated[str | None, Security(API_KEY_HEADER)]) -> GatewayClient:
    return await authenticate(request, api_key, find_client)


async def agency_client(client: Annotated[GatewayClient, Depends(gateway_client)]) -> GatewayClient:
    if client.role != "agency":
        raise Forbidden()
    return client


Agency = Annotated[GatewayClient, Depends(agency_client)]


async def operations_client(client: Annotated[GatewayClient, Depends(gateway_client)]) -> GatewayClient:
    if client.role != "operations":
        raise Forbidden()
    return client


Operations = Annotated[GatewayClient, Depends(operations_client)]


async def concern_reader(client: Annotated[GatewayClient, Depends(gateway_client)]) -> GatewayClient:
    """The diversion team (every force's concerns) or a force's police systems (their own force's)."""
    if client.role not in ("operations", "police"):
        raise Forbidden()
    return client


ConcernReader = Annotated[GatewayClient, Depends(concern_reader)]


async def note_writer(client: Annotated[GatewayClient, Depends(gateway_client)]) -> GatewayClient:
    """An agency (on its own referrals) or the diversion team (on any)."""
    if client.role not in ("agency", "operations"):
        raise Forbidden()
    return client


NoteWriter = Annotated[GatewayClient, Depends(note_writer)]


def context_of(request: Request) -> ComplianceContext:
    return request.app.state.context


async def in_transaction(request: Request, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run `work` in one transaction that commits before the response is sent."""
    async with (
        request.app.state.pool.acquire() as connection,
        connection.transaction(),
        UnitOfWork(connection, context_of(request)) as uow,
    ):
        return await work(uow)


Build = Callable[[dict, UnitOfWork], Awaitable[AgencyUpdate]]
"""Makes the command an HTTP request reports, from what every one says (case, referral, agency, when)."""
Apply = Callable[..., Awaitable[T]]


def plain(make: Callable[[dict], AgencyUpdate]) -> Build:
    """A command made from the request alone."""

    async def build(common: dict, _: UnitOfWork) -> AgencyUpdate:
        return make(common)

    return build


async def reported(
    request: Request, client: GatewayClient, referral_id: UUID, occurred_at: datetime | None, build: Build, apply: Apply
) -> T:
    """Apply one thing the agency reports over HTTP, through the same use case as Kafka's, in one transaction."""

    async def work(uow: UnitOfWork) -> T:
        common = {
            "case_id": await handlers.case_id_of(referral_id, client.agency_id, uow),
            "referral_id": referral_id,
            "agency_id": client.agency_id,
            "occurred_at": occurred_at or uow.now(),
        }
        with refused_as_request():
            command = await build(common, uow)
        return await apply(command, uow, received_via="http", actor=client.client_id)

    return await in_transaction(request, work)


async def post_update(request: Request, client: GatewayClient, referral_id: UUID, body, build: Build) -> UpdateResponse:
    """Apply one update of the referral's progress the agency reports over HTTP."""
    result = await reported(request, client, referral_id, body.occurred_at, build, handlers.agency_update)
    return UpdateResponse(
        referral_id=referral_id,
        status=result.referral.status.value,
        applied=result.applied,
        case_status=result.case_status,
    )


@router.get("/referrals", response_model=list[ReferralSummary], responses=ERRORS, summary="List your referrals")
async def list_referrals(
    request: Request,
    client: Agency,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    status: Annotated[list[ReferralStatus] | None, Query(description="Only these statuses (repeat it).")] = None,
) -> list[ReferralSummary]:
    """Your agency's referrals, newest first; `status=issued&status=accepted&status=in_progress` for the work
    in hand. No personal details: read one referral for those."""
    rows = await agency_views.referrals_of_agency(
        request.app.state.pool, client.agency_id, limit=limit, offset=offset, statuses=status
    )
    return [ReferralSummary.of(row) for row in rows]


@router.get(
    "/referrals/{referral_id}",
    response_model=ReferralDetail,
    responses=ERRORS,
    summary="Read one referral: what to deliver, and how to contact the person",
)
async def read_referral(
    request: Request,
    referral_id: UUID,
    client: Agency,
    purpose: Annotated[AgencyPurpose, Query(description="Why you read it: recorded in the audit trail.")],
) -> ReferralDetail:
    """Reading a referral discloses personal details and is recorded in the audit trail with `purpose`.
    Only the fields your agency's catalogue entry lists are shown, and only while the referral is in your
    hands (issued, accepted or in progress): once it has left you (declined, timed out, withdrawn, cancelled)
    or ended (completed, breached, disengaged), `personal` is null, the brief empty, and only its history
    remains. `personal` is null too once the person's details were erased."""

    async def work(uow: UnitOfWork) -> ReferralDetail:
        referral = await agency_views.referral_of_agency(uow.connection, referral_id, client.agency_id)
        if referral is None:
            raise handlers.NotYourReferral()
        in_hand = ReferralStatus(referral.status) in OPEN
        sent = await agency_views.personal_details(uow.connection, referral_id) if in_hand else None
        brief, sealed = uow.context.disclosure.visible(client.agency_id, referral.brief if in_hand else {}, sent)
        personal = await personal_data.opened_for_agency(referral.case_id, sealed, uow)
        uow.audit(
            actor=client.client_id,
            action=Action.CONSULTATION,
            purpose=Purpose(purpose.value),
            referral_id=referral_id,
            case_id=referral.case_id,
            fields=tuple(sorted([*brief, *(personal or {})])),
            detail="read referral",
        )
        work = await uow.work.work(referral_id, referral.case_id, client.agency_id)
        return ReferralDetail(
            **ReferralSummary.of(referral).model_dump(),
            brief=brief,
            personal=personal,
            unacceptable_absences=referral.unacceptable_absences,
            updates=[UpdateRecord(**u) for u in await agency_views.updates(uow.connection, referral_id)],
            work=WorkView.of(work, await uow.work.reminders_of(referral_id)),
        )

    return await in_transaction(request, work)


@router.post(
    "/referrals/{referral_id}/accept", response_model=UpdateResponse, responses=UPDATE_ERRORS, summary="Accept it"
)
async def accept(request: Request, referral_id: UUID, body: AcceptRequest, client: Agency) -> UpdateResponse:
    return await post_update(request, client, referral_id, body, plain(lambda c: ReferralAccepted(**c)))


@router.post(
    "/referrals/{referral_id}/decline",
    response_model=UpdateResponse,
    responses=UPDATE_ERRORS,
    summary="Decline the referral (it goes to another agency)",
)
async def decline(request: Request, referral_id: UUID, body: DeclineRequest, client: Agency) -> UpdateResponse:
    return await post_update(
        request, client, referral_id, body, plain(lambda c: ReferralDeclined(**c, reason=body.reason))
    )


@router.post(
    "/referrals/{referral_id}/appointments",
    response_model=UpdateResponse,
    responses=UPDATE_ERRORS,
    summary="Record a scheduled appointment",
)
async def schedule(request: Request, referral_id: UUID, body: ScheduleRequest, client: Agency) -> UpdateResponse:
    """Schedule before reporting attendance or absence: an absence counts only from a scheduled appointment."""
    return await post_update(
        request,
        client,
        referral_id,
        body,
        plain(
            lambda c: AppointmentScheduled(
                **c,
                appointment_id=body.appointment_id or uuid4(),
                purpose=body.purpose,
                scheduled_for=body.scheduled_for,
                mode=body.mode,
            )
        ),
    )


@router.post(
    "/referrals/{referral_id}/appointments/{appointment_id}/attended",
    response_model=UpdateResponse,
    responses=UPDATE_ERRORS,
    summary="The person attended an appointment",
)
async def attended(
    request: Request, referral_id: UUID, appointment_id: UUID, body: AttendedRequest, client: Agency
) -> UpdateResponse:
    return await post_update(
        request, client, referral_id, body, plain(lambda c: AppointmentAttended(**c, appointment_id=appointment_id))
    )


@router.post(
    "/referrals/{referral_id}/appointments/{appointment_id}/missed",
    response_model=UpdateResponse,
    responses=UPDATE_ERRORS,
    summary="The person missed a scheduled appointment",
)
async def missed(
    request: Request, referral_id: UUID, appointment_id: UUID, body: MissedRequest, client: Agency
) -> UpdateResponse:
    """Say whether the absence was acceptable; unacceptable absences can breach the referral."""
    return await post_update(
        request,
        client,
        referral_id,
        body,
        plain(
            lambda c: AppointmentMissed(**c, appointment_id=appointment_id, absence_acceptable=body.absence_acceptable)
        ),
    )


@router.post(
    "/referrals/{referral_id}/completion",
    response_model=UpdateResponse,
    responses=UPDATE_ERRORS,
    summary="The intervention is completed, with the outcome of each goal",
)
async def complete(request: Request, referral_id: UUID, body: CompletionRequest, client: Agency) -> UpdateResponse:
    """The end-of-service report must be in first; `goals` may be left out: the report's are used."""

    async def build(common: dict, uow: UnitOfWork) -> InterventionCompleted:
        goals = body.goals or await agency_work.reported_goals(
            common["referral_id"], common["case_id"], client.agency_id, uow
        )
        return InterventionCompleted(**common, goals=goals)

    return await post_update(request, client, referral_id, body, build)


@router.post(
    "/referrals/{referral_id}/disengagement",
    response_model=UpdateResponse,
    responses=UPDATE_ERRORS,
    summary="The person stopped engaging",
)
async def disengage(request: Request, referral_id: UUID, body: DisengagementRequest, client: Agency) -> UpdateResponse:
    return await post_update(
        request, client, referral_id, body, plain(lambda c: Disengaged(**c, last_contact_at=body.last_contact_at))
    )


@router.post(
    "/referrals/{referral_id}/withdrawal",
    response_model=UpdateResponse,
    responses=UPDATE_ERRORS,
    summary="Your agency withdraws (it goes to another agency)",
)
async def withdraw(request: Request, referral_id: UUID, body: WithdrawalRequest, client: Agency) -> UpdateResponse:
    return await post_update(request, client, referral_id, body, plain(lambda c: Withdrawn(**c, reason=body.reason)))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(handlers.NotYourReferral)
    async def not_yours(_: Request, error: handlers.NotYourReferral):
        return error_response(404, "referral_not_found", str(error))

    @app.exception_handler(IllegalTransition)
    async def illegal(_: Request, error: IllegalTransition):
        return error_response(409, "illegal_transition", str(error))

    @app.exception_handler(ImplausibleTime)
    async def implausible(_: Request, error: ImplausibleTime):
        problem = FieldProblem(field="occurred_at", message=str(error))
        return error_response(422, "implausible_time", f"occurred_at: {error}", [problem])
