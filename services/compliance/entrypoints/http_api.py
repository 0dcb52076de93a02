"""The agency gateway: each partner agency sees and updates only its own referrals.

An agency authenticates with its API key (`X-API-Key`). A referral it does not hold answers 404
on every route, exactly as one that does not exist, so nothing leaks about other agencies'
work. Reading a referral returns the contact details needed to work with the person, and that
read is written to the audit log in the same transaction. Reports are for the operations key.
"""

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Request, Security

from platform_plumbing.http_conventions import API_KEY_HEADER, ErrorBody, Forbidden, authenticate, error_response
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
from services.compliance.adapters import audit_log
from services.compliance.adapters.gateway_clients import GatewayClient, find_client
from services.compliance.domain.referral_progress import IllegalTransition
from services.compliance.entrypoints.http_models import (
    AcceptRequest,
    AttendedRequest,
    BreachRow,
    CompletionRequest,
    ComplianceRow,
    DeclineRequest,
    DisengagementRequest,
    MissedRequest,
    ReferralDetail,
    ReferralSummary,
    ReoffendingRow,
    ScheduleRequest,
    UpdateRecord,
    UpdateResponse,
    WithdrawalRequest,
)
from services.compliance.service_layer import handlers, reports
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork

DEFAULT_PURPOSE = "contact the person to assess and deliver the referred intervention"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body could not be read."},
    401: {"model": ErrorBody, "description": "No API key, or not a live one."},
    403: {"model": ErrorBody, "description": "This key may not use this route."},
    404: {"model": ErrorBody, "description": "No referral with this id is held by your agency."},
    413: {"model": ErrorBody, "description": "Body larger than the limit."},
    422: {"model": ErrorBody, "description": "The body does not match the schema; `fields` says where."},
}
UPDATE_ERRORS = {**ERRORS, 409: {"model": ErrorBody, "description": "The update contradicts the referral's state."}}


def build_router(context: ComplianceContext) -> APIRouter:
    async def gateway_client(
        request: Request, api_key: Annotated[str | None, Security(API_KEY_HEADER)]
    ) -> GatewayClient:
        return await authenticate(request, api_key, find_client)

    async def agency(client: Annotated[GatewayClient, Depends(gateway_client)]) -> GatewayClient:
        if client.role != "agency":
            raise Forbidden()
        return client

    async def operations(client: Annotated[GatewayClient, Depends(gateway_client)]) -> GatewayClient:
        if client.role != "operations":
            raise Forbidden()
        return client

    Agency = Annotated[GatewayClient, Depends(agency)]
    Operations = Annotated[GatewayClient, Depends(operations)]

    async def in_transaction(request: Request, work):
        async with request.app.state.pool.acquire() as connection, connection.transaction():
            return await work(UnitOfWork(connection, context))

    async def post_update(
        request: Request, client: GatewayClient, referral_id: UUID, body, build: Callable[[dict], AgencyUpdate]
    ) -> UpdateResponse:
        async def work(uow: UnitOfWork) -> UpdateResponse:
            case_id = await handlers.case_id_of(referral_id, client.agency_id, uow)
            common = {
                "case_id": case_id,
                "referral_id": referral_id,
                "agency_id": client.agency_id,
                "occurred_at": body.occurred_at or context.clock.now(),
            }
            result = await handlers.agency_update(build(common), uow, received_via="http")
            return UpdateResponse(
                referral_id=referral_id,
                status=result.referral.progress.status.value,
                applied=result.applied,
                case_status=result.case_status,
            )

        return await in_transaction(request, work)

    router = APIRouter(prefix="/v1", tags=["partner agencies"])

    @router.get("/referrals", response_model=list[ReferralSummary], responses=ERRORS, summary="List your referrals")
    async def list_referrals(
        request: Request,
        client: Agency,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[ReferralSummary]:
        """Your agency's referrals, newest first. No personal details: read one referral for those."""

        async def work(uow: UnitOfWork):
            return await uow.store.referrals_of_agency(client.agency_id, limit=limit, offset=offset)

        return [_summary(r) for r in await in_transaction(request, work)]

    @router.get(
        "/referrals/{referral_id}",
        response_model=ReferralDetail,
        responses=ERRORS,
        summary="Read one referral, with the person's contact details",
    )
    async def read_referral(
        request: Request,
        referral_id: UUID,
        client: Agency,
        purpose: Annotated[str, Query(min_length=3, max_length=200)] = DEFAULT_PURPOSE,
    ) -> ReferralDetail:
        """Reading a referral discloses personal details and is recorded in the audit log with `purpose`."""

        async def work(uow: UnitOfWork) -> ReferralDetail:
            await handlers.case_id_of(referral_id, client.agency_id, uow)
            referral = await uow.store.referral(referral_id)
            personal = await uow.store.personal_details(referral_id)
            await audit_log.record_access(
                uow.connection,
                actor=client.client_id,
                action="read_referral",
                referral_id=referral_id,
                case_id=referral.case_id,
                fields=sorted(k for k, v in (personal or {}).items() if v is not None),
                purpose=purpose,
                at=context.clock.now(),
            )
            return ReferralDetail(
                **_summary(referral).model_dump(),
                personal=personal,
                unacceptable_absences=referral.progress.unacceptable_absences,
                updates=[UpdateRecord(**u) for u in await uow.store.updates(referral_id)],
            )

        return await in_transaction(request, work)

    @router.post(
        "/referrals/{referral_id}/accept",
        response_model=UpdateResponse,
        responses=UPDATE_ERRORS,
        summary="Accept the referral",
    )
    async def accept(request: Request, referral_id: UUID, body: AcceptRequest, client: Agency) -> UpdateResponse:
        return await post_update(request, client, referral_id, body, lambda c: ReferralAccepted(**c))

    @router.post(
        "/referrals/{referral_id}/decline",
        response_model=UpdateResponse,
        responses=UPDATE_ERRORS,
        summary="Decline the referral (it goes to another agency)",
    )
    async def decline(request: Request, referral_id: UUID, body: DeclineRequest, client: Agency) -> UpdateResponse:
        return await post_update(
            request, client, referral_id, body, lambda c: ReferralDeclined(**c, reason=body.reason)
        )

    @router.post(
        "/referrals/{referral_id}/appointments",
        response_model=UpdateResponse,
        responses=UPDATE_ERRORS,
        summary="Record a scheduled appointment",
    )
    async def schedule(request: Request, referral_id: UUID, body: ScheduleRequest, client: Agency) -> UpdateResponse:
        return await post_update(
            request,
            client,
            referral_id,
            body,
            lambda c: AppointmentScheduled(
                **c,
                appointment_id=body.appointment_id or uuid4(),
                purpose=body.purpose,
                scheduled_for=body.scheduled_for,
                mode=body.mode,
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
            request, client, referral_id, body, lambda c: AppointmentAttended(**c, appointment_id=appointment_id)
        )

    @router.post(
        "/referrals/{referral_id}/appointments/{appointment_id}/missed",
        response_model=UpdateResponse,
        responses=UPDATE_ERRORS,
        summary="The person missed an appointment",
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
            lambda c: AppointmentMissed(**c, appointment_id=appointment_id, absence_acceptable=body.absence_acceptable),
        )

    @router.post(
        "/referrals/{referral_id}/completion",
        response_model=UpdateResponse,
        responses=UPDATE_ERRORS,
        summary="The intervention is completed, with the outcome of each goal",
    )
    async def complete(request: Request, referral_id: UUID, body: CompletionRequest, client: Agency) -> UpdateResponse:
        return await post_update(
            request, client, referral_id, body, lambda c: InterventionCompleted(**c, goals=body.goals)
        )

    @router.post(
        "/referrals/{referral_id}/disengagement",
        response_model=UpdateResponse,
        responses=UPDATE_ERRORS,
        summary="The person stopped engaging",
    )
    async def disengage(
        request: Request, referral_id: UUID, body: DisengagementRequest, client: Agency
    ) -> UpdateResponse:
        return await post_update(
            request, client, referral_id, body, lambda c: Disengaged(**c, last_contact_at=body.last_contact_at)
        )

    @router.post(
        "/referrals/{referral_id}/withdrawal",
        response_model=UpdateResponse,
        responses=UPDATE_ERRORS,
        summary="Your agency withdraws (it goes to another agency)",
    )
    async def withdraw(request: Request, referral_id: UUID, body: WithdrawalRequest, client: Agency) -> UpdateResponse:
        return await post_update(request, client, referral_id, body, lambda c: Withdrawn(**c, reason=body.reason))

    @router.get(
        "/reports/compliance",
        response_model=list[ComplianceRow],
        responses=ERRORS,
        tags=["operations"],
        summary="Compliance and completion rates",
    )
    async def compliance_report(
        request: Request, client: Operations, by: reports.ComplianceDimension = reports.ComplianceDimension.DISPOSAL
    ):
        return await reports.compliance_rates(request.app.state.pool, by)

    @router.get(
        "/reports/reoffending",
        response_model=list[ReoffendingRow],
        responses=ERRORS,
        tags=["operations"],
        summary="Named in a new investigation within 24 months",
    )
    async def reoffending_report(
        request: Request, client: Operations, by: reports.ReoffendingDimension = reports.ReoffendingDimension.DISPOSAL
    ):
        return await reports.reoffending_within_24_months(request.app.state.pool, by)

    @router.get(
        "/reports/breaches",
        response_model=list[BreachRow],
        responses=ERRORS,
        tags=["operations"],
        summary="Breaches awaiting a police decision",
    )
    async def breaches_report(request: Request, client: Operations):
        return await reports.breaches_awaiting_police(request.app.state.pool)

    return router


def install_error_handlers(app) -> None:
    @app.exception_handler(handlers.NotYourReferral)
    async def not_yours(_: Request, error: handlers.NotYourReferral):
        return error_response(404, "referral_not_found", str(error))

    @app.exception_handler(IllegalTransition)
    async def illegal(_: Request, error: IllegalTransition):
        return error_response(409, "illegal_transition", str(error))


def _summary(referral) -> ReferralSummary:
    return ReferralSummary(
        referral_id=referral.referral_id,
        case_id=referral.case_id,
        needs=referral.needs,
        delivery_mode=referral.delivery_mode,
        status=referral.progress.status.value,
        issued_at=referral.issued_at,
        respond_by=referral.respond_by,
    )
