"""The gateway's routes for the agencies' work on their referrals, and for the diversion team's side of it.

An agency reports its work on a referral it holds, as it reports progress: another agency's referral answers 404
exactly like one that does not exist, and a police or operations key 403. The diversion team (the operations key)
approves or returns action plans, reads and acknowledges safeguarding concerns, and writes notes on any referral.
A police force's systems (a police key) read their own force's concerns. Every read of sealed text — a note, a
concern's details — is opened for the reader and written to the audit trail in the same transaction.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, FastAPI, Query, Request

from platform_plumbing.audit_trail import Action, Purpose
from platform_plumbing.http_conventions import error_response
from schemas.commands import (
    ActionPlanSubmitted,
    CaseNoteWritten,
    CaseworkerAssigned,
    ConcernRaised,
    EndOfServiceReportSubmitted,
    FirstContactMade,
    ProgrammeAssessmentSubmitted,
    SessionRecorded,
)
from schemas.vocabulary import NoteAuthor
from services.compliance.adapters.gateway_clients import GatewayClient
from services.compliance.entrypoints.http_api import (
    ERRORS,
    UPDATE_ERRORS,
    Agency,
    ConcernReader,
    NoteWriter,
    Operations,
    in_transaction,
    plain,
    reported,
)
from services.compliance.entrypoints.work_models import (
    AcknowledgementRequest,
    ActionPlanRequest,
    AssessmentRequest,
    CaseworkerRequest,
    ConcernDetail,
    ConcernRequest,
    ConcernView,
    EndOfServiceReportRequest,
    FirstContactRequest,
    NoteRequest,
    NoteView,
    PlanApprovalRequest,
    PlanAwaitingRow,
    PlanReturnRequest,
    PlanView,
    SessionRequest,
    WorkResponse,
)
from services.compliance.service_layer import agency_work, handlers
from services.compliance.service_layer.personal_data import opened_texts
from services.compliance.service_layer.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1", tags=["partner agencies"])
team = APIRouter(prefix="/v1", tags=["diversion team"])
PLAN_ERRORS = {**ERRORS, 404: {"description": "No action plan with this id."}, 409: UPDATE_ERRORS[409]}
CONCERN_ERRORS = {**ERRORS, 404: {"description": "No concern with this id that you may read."}}


async def _work(request: Request, client: GatewayClient, referral_id: UUID, body, build) -> WorkResponse:
    result = await reported(request, client, referral_id, body.occurred_at, plain(build), agency_work.agency_work)
    return WorkResponse(referral_id=result.referral_id, applied=result.applied)


@router.post(
    "/referrals/{referral_id}/caseworker",
    response_model=WorkResponse,
    responses=UPDATE_ERRORS,
    summary="Name its caseworker",
)
async def caseworker(request: Request, referral_id: UUID, body: CaseworkerRequest, client: Agency) -> WorkResponse:
    return await _work(
        request, client, referral_id, body, lambda c: CaseworkerAssigned(**c, caseworker=body.caseworker)
    )


@router.post(
    "/referrals/{referral_id}/first-contact",
    response_model=WorkResponse,
    responses=UPDATE_ERRORS,
    summary="You reached the person for the first time",
)
async def first_contact(request: Request, referral_id: UUID, body: FirstContactRequest, client: Agency) -> WorkResponse:
    """Measured against your service level for first contact (working days from issue, in the catalogue)."""
    return await _work(request, client, referral_id, body, lambda c: FirstContactMade(**c, method=body.method))


@router.post(
    "/referrals/{referral_id}/assessment",
    response_model=WorkResponse,
    responses=UPDATE_ERRORS,
    summary="Your own assessment of the person's needs, and the onward referrals they agree to",
)
async def assessment(request: Request, referral_id: UUID, body: AssessmentRequest, client: Agency) -> WorkResponse:
    """The needs marked `consented` are referred onward to the agency that fits (not yours), and the person's
    details go to it; nothing is disclosed for a need marked `refused`. A later assessment replaces this one."""
    return await _work(
        request,
        client,
        referral_id,
        body,
        lambda c: ProgrammeAssessmentSubmitted(**c, assessment_id=body.assessment_id or uuid4(), needs=body.needs),
    )


@router.post(
    "/referrals/{referral_id}/action-plan",
    response_model=WorkResponse,
    responses=UPDATE_ERRORS,
    summary="Submit the action plan (a new version replaces the last)",
)
async def action_plan(request: Request, referral_id: UUID, body: ActionPlanRequest, client: Agency) -> WorkResponse:
    """The diversion team approves it or returns it with a reason (or it is approved at once, where the catalogue
    says so): read the referral for its status."""
    return await _work(
        request,
        client,
        referral_id,
        body,
        lambda c: ActionPlanSubmitted(
            **c,
            plan_id=body.plan_id or uuid4(),
            activities=body.activities,
            goals=body.goals,
            sessions_planned=body.sessions_planned,
        ),
    )


@router.post(
    "/referrals/{referral_id}/appointments/{appointment_id}/session",
    response_model=WorkResponse,
    responses=UPDATE_ERRORS,
    summary="How an attended session went",
)
async def session(
    request: Request, referral_id: UUID, appointment_id: UUID, body: SessionRequest, client: Agency
) -> WorkResponse:
    """`concerning_behaviour` raises a concern the police see at once."""
    return await _work(
        request,
        client,
        referral_id,
        body,
        lambda c: SessionRecorded(
            **c,
            appointment_id=appointment_id,
            engagement=body.engagement,
            concerning_behaviour=body.concerning_behaviour,
            notes=body.notes,
        ),
    )


@router.post(
    "/referrals/{referral_id}/end-of-service-report",
    response_model=WorkResponse,
    responses=UPDATE_ERRORS,
    summary="The end-of-service report: required before completion",
)
async def end_of_service_report(
    request: Request, referral_id: UUID, body: EndOfServiceReportRequest, client: Agency
) -> WorkResponse:
    """Say how each need of the referral and each goal of the approved plan turned out."""
    return await _work(
        request,
        client,
        referral_id,
        body,
        lambda c: EndOfServiceReportSubmitted(**c, needs=body.needs, goals=body.goals, summary=body.summary),
    )


@router.post(
    "/referrals/{referral_id}/concerns",
    response_model=WorkResponse,
    responses=UPDATE_ERRORS,
    summary="Raise a safeguarding concern: the police are told at once",
)
async def raise_concern(request: Request, referral_id: UUID, body: ConcernRequest, client: Agency) -> WorkResponse:
    return await _work(
        request,
        client,
        referral_id,
        body,
        lambda c: ConcernRaised(
            **c, concern_id=body.concern_id or uuid4(), kind=body.kind, urgency=body.urgency, details=body.details
        ),
    )


# -- notes between the agency and the diversion team --------------------------------------------------------------


@router.post(
    "/referrals/{referral_id}/notes",
    response_model=WorkResponse,
    responses=UPDATE_ERRORS,
    summary="Write a note to the diversion team (or, as the team, to the agency)",
)
async def write_note(request: Request, referral_id: UUID, body: NoteRequest, client: NoteWriter) -> WorkResponse:
    if client.role == "agency":
        note_id = body.note_id or uuid4()
        return await _work(
            request, client, referral_id, body, lambda c: CaseNoteWritten(**c, note_id=note_id, text=body.text)
        )

    async def work(uow: UnitOfWork) -> WorkResponse:
        at = await agency_work.any_referral(referral_id, uow)
        written = await agency_work.write_note(
            at, body.note_id or uuid4(), NoteAuthor.DIVERSION_TEAM, client.client_id, body.text, uow.now(), uow
        )
        await agency_work.stored(at, uow)
        return WorkResponse(referral_id=referral_id, applied=written)

    return await in_transaction(request, work)


@router.get("/referrals/{referral_id}/notes", response_model=list[NoteView], responses=ERRORS, summary="Read the notes")
async def read_notes(request: Request, referral_id: UUID, client: NoteWriter) -> list[NoteView]:
    """Each read is in the audit trail."""

    async def work(uow: UnitOfWork) -> list[NoteView]:
        team = client.role != "agency"
        case_id = await handlers.case_id_of(referral_id, None if team else client.agency_id, uow)
        notes = await uow.work.notes_of(referral_id)
        texts = await opened_texts(case_id, [("note", note.text) for note in notes], uow)
        uow.audit(
            actor=client.client_id,
            action=Action.CONSULTATION,
            purpose=Purpose.COMPLIANCE_MONITORING if team else Purpose.DELIVERING_INTERVENTION,
            case_id=case_id,
            referral_id=referral_id,
            fields=("note",) if notes else (),
            detail=f"read {len(notes)} note(s)",
        )
        return [
            NoteView(
                note_id=n.note_id, author=n.author.value, written_by=n.written_by, text=text, written_at=n.written_at
            )
            for n, text in zip(notes, texts, strict=True)
        ]

    return await in_transaction(request, work)


# -- the diversion team: action plans -----------------------------------------------------------------------------


@team.get(
    "/action-plans", response_model=list[PlanAwaitingRow], responses=ERRORS, summary="Action plans awaiting approval"
)
async def plans_awaiting(
    request: Request, client: Operations, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[PlanAwaitingRow]:
    """Oldest first. No personal details: the plan's activities and goals."""
    async with request.app.state.pool.acquire() as connection:
        rows = await UnitOfWork(connection, request.app.state.context).work.plans_awaiting_approval(limit=limit)
    return [PlanAwaitingRow.of(row) for row in rows]


@team.post("/action-plans/{plan_id}/approval", response_model=PlanView, responses=PLAN_ERRORS, summary="Approve a plan")
async def approve(request: Request, plan_id: UUID, body: PlanApprovalRequest, client: Operations) -> PlanView:
    return await _decide(request, plan_id, True, body.by, None, client)


@team.post(
    "/action-plans/{plan_id}/return",
    response_model=PlanView,
    responses=PLAN_ERRORS,
    summary="Return a plan to its agency with a reason",
)
async def return_plan(request: Request, plan_id: UUID, body: PlanReturnRequest, client: Operations) -> PlanView:
    return await _decide(request, plan_id, False, body.by, body.reason, client)


async def _decide(
    request: Request, plan_id: UUID, approve: bool, by: str, reason: str | None, client: GatewayClient
) -> PlanView:
    async def work(uow: UnitOfWork) -> PlanView:
        plan = await agency_work.decide_plan(plan_id, approve, by, reason, uow, actor=client.client_id)
        return PlanView.of(plan)

    return await in_transaction(request, work)


# -- safeguarding concerns ----------------------------------------------------------------------------------------


@team.get("/concerns", response_model=list[ConcernView], responses=ERRORS, summary="Safeguarding concerns")
async def concerns(
    request: Request,
    client: ConcernReader,
    waiting: Annotated[bool, Query(description="Only those no one has taken on yet.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ConcernView]:
    """Newest first: every force's for the diversion team, your own force's for a police key. No details here:
    read one concern for them."""
    async with request.app.state.pool.acquire() as connection:
        found = await UnitOfWork(connection, request.app.state.context).work.concerns(
            force_id=client.force_id, waiting_only=waiting, limit=limit
        )
    return [ConcernView.of(concern) for concern in found]


@team.get(
    "/concerns/{concern_id}",
    response_model=ConcernDetail,
    responses=CONCERN_ERRORS,
    summary="Read one concern, with its details",
)
async def concern(request: Request, concern_id: UUID, client: ConcernReader) -> ConcernDetail:
    """Opening the details is in the audit trail: a disclosure to the police, a consultation by the team."""

    async def work(uow: UnitOfWork) -> ConcernDetail:
        found = await uow.work.concern(concern_id)
        if found is None or (client.force_id is not None and found.force_id != client.force_id):
            raise agency_work.UnknownConcern()
        (details,) = await opened_texts(found.case_id, [("concern", found.details)], uow)
        police = client.role == "police"
        uow.audit(
            actor=client.client_id,
            action=Action.DISCLOSURE if police else Action.CONSULTATION,
            purpose=Purpose.SAFEGUARDING,
            case_id=found.case_id,
            referral_id=found.referral_id,
            recipient=client.force_id,
            fields=("concern",) if details else (),
            detail="read concern",
        )
        return ConcernDetail(**ConcernView.of(found).model_dump(), details=details)

    return await in_transaction(request, work)


@team.post(
    "/concerns/{concern_id}/acknowledgement",
    response_model=ConcernView,
    responses=CONCERN_ERRORS,
    summary="Take a concern on (by name)",
)
async def acknowledge(
    request: Request, concern_id: UUID, body: AcknowledgementRequest, client: Operations
) -> ConcernView:
    """The first to take it on is recorded; the concern leaves the list of those waiting."""

    async def work(uow: UnitOfWork) -> ConcernView:
        taken = await agency_work.acknowledge_concern(concern_id, body.by, uow, actor=client.client_id)
        return ConcernView.of(taken)

    return await in_transaction(request, work)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(agency_work.UnknownPlan)
    async def unknown_plan(_: Request, error: agency_work.UnknownPlan):
        return error_response(404, "plan_not_found", str(error))

    @app.exception_handler(agency_work.UnknownConcern)
    async def unknown_concern(_: Request, error: agency_work.UnknownConcern):
        return error_response(404, "concern_not_found", str(error))
