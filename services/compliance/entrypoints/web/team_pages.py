"""The diversion team's workspace (issue 25): the day's work queue — safeguarding concerns to take on, action plans
to approve or return, cases awaiting a police decision, referrals agencies have not answered in time, people not
contacted within their agency's service level, deadlines in the next 14 days, needs no agency could take — and a
case's page with its conditions, referrals, their history and the notes between agencies and the team.

Decisions go through the team's API route functions with the signed-in person as the operations client: the same
use case, the same audit entry (under the person's name), recorded by name ("approved by Jo Duty"). Commands another
service owns are handed to it by name: a police decision after a breach to intake, a need placed by hand to the
router (`_handed_over`); compliance hears their outcome on Kafka like any other.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from platform_plumbing.audit_trail import Action, Purpose
from schemas.vocabulary import PoliceDecision, ReferralStatus
from services.compliance.adapters import agency_views, team_views
from services.compliance.adapters.gateway_clients import GatewayClient
from services.compliance.adapters.people_store import Session
from services.compliance.adapters.service_commands import Refusal, ServiceCommands, ServiceUnavailable
from services.compliance.domain.people import NotAllowed, Role
from services.compliance.domain.referral_progress import IllegalTransition
from services.compliance.entrypoints import work_routes
from services.compliance.entrypoints.http_api import in_transaction
from services.compliance.entrypoints.web.pages import Option, page, words
from services.compliance.entrypoints.web.signed_in import checked_form, team_session
from services.compliance.entrypoints.work_models import (
    AcknowledgementRequest,
    NoteRequest,
    PlanApprovalRequest,
    PlanReturnRequest,
)
from services.compliance.service_layer import agency_work, reports

router = APIRouter(prefix="/team", include_in_schema=False)
TeamPerson = Annotated[Session, Depends(team_session)]
SOON = timedelta(days=14)
DONE = {
    "approved": "Action plan approved.",
    "returned": "Action plan returned to its agency.",
    "acknowledged": "Concern taken on: it is recorded under your name.",
    "decided": "The decision is recorded in the police's system; this case changes as soon as compliance hears it.",
    "placed": "The needs are placed with the agency you chose; the referral shows here as soon as compliance hears it.",
    "noted": "Your note is sent to the agency.",
}


def as_team(session: Session) -> GatewayClient:
    person = session.person
    return GatewayClient(person.actor, "operations", None, person.name)


@router.get("", response_class=HTMLResponse)
async def queue(request: Request, session: TeamPerson, done: str | None = None) -> Response:
    context = request.app.state.context
    now = context.clock.now()
    today = now.date()

    async def read(uow):
        db = uow.connection
        return {
            "concerns": await uow.work.concerns(force_id=None, waiting_only=True, limit=100),
            "plans": await uow.work.plans_awaiting_approval(limit=100),
            "awaiting_police": await reports.awaiting_police(db, limit=100),
            "not_answered": await team_views.not_answered_in_time(db, now),
            "never_contacted": await team_views.never_contacted(db, today, context.workflow),
            "deadlines": await team_views.deadlines_within(db, today, today + SOON),
            "unplaced": await team_views.unplaced(db),
        }

    return page(
        request,
        "team.html",
        session=session,
        done=DONE.get(done or ""),
        errors={},
        **await in_transaction(request, read),
    )


@router.post("/plans/{plan_id}/approve")
async def approve(request: Request, plan_id: UUID, session: TeamPerson) -> Response:
    await checked_form(request, session)
    body = PlanApprovalRequest(by=session.person.name)
    return await _decided(
        request, session, lambda: work_routes.approve(request, plan_id, body, as_team(session)), "approved"
    )


@router.post("/plans/{plan_id}/return", response_class=HTMLResponse)
async def return_plan(request: Request, plan_id: UUID, session: TeamPerson) -> Response:
    form = await checked_form(request, session)
    try:
        body = PlanReturnRequest(by=session.person.name, reason=form.get("reason", "").strip())
    except ValidationError:
        return page(
            request,
            "problem.html",
            422,
            title="Say why the plan is returned",
            session=session,
            detail="The agency reads the reason: go back and write what it should change.",
        )
    return await _decided(
        request, session, lambda: work_routes.return_plan(request, plan_id, body, as_team(session)), "returned"
    )


@router.post("/concerns/{concern_id}/acknowledge")
async def acknowledge(request: Request, concern_id: UUID, session: TeamPerson) -> Response:
    await checked_form(request, session)
    body = AcknowledgementRequest(by=session.person.name)
    return await _decided(
        request, session, lambda: work_routes.acknowledge(request, concern_id, body, as_team(session)), "acknowledged"
    )


async def _decided(request: Request, session: Session, decide, done: str) -> Response:
    try:
        await decide()
    except (agency_work.UnknownPlan, agency_work.UnknownConcern):
        return page(request, "problem.html", 404, title="Page not found", session=session)
    except IllegalTransition as refused:
        return page(
            request, "problem.html", 409, title="This was decided already", session=session, detail=str(refused)
        )
    return RedirectResponse(f"/team?done={done}", status_code=303)


@router.get("/concerns/{concern_id}", response_class=HTMLResponse)
async def concern(request: Request, concern_id: UUID, session: TeamPerson) -> Response:
    """Opening a concern's details is a consultation in the audit trail, under the person's name."""
    try:
        found = await work_routes.concern(request, concern_id, as_team(session))
    except agency_work.UnknownConcern:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    return page(request, "concern.html", session=session, concern=found, errors={})


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case(request: Request, case_id: UUID, session: TeamPerson, done: str | None = None) -> Response:
    return await _case_page(request, case_id, session, done=DONE.get(done or ""))


@router.post("/cases/{case_id}/police-decision", response_class=HTMLResponse)
async def police_decision(request: Request, case_id: UUID, session: TeamPerson) -> Response:
    """The officer's decision after a breach, recorded by intake (the police's system of record), by name."""
    form = await checked_form(request, session)
    file = await _teams_case(request, case_id, session)
    if file is None:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    decision = {name: form[name].strip() for name in ("decision", "officer", "reason", "complete_by") if form.get(name)}
    # The breach the officer was looking at, not whichever is current now: a later breach needs its own decision.
    seen = form.get("breach_sequence", "")
    decision["breach_sequence"] = int(seen) if re.fullmatch(r"[0-9]{1,9}", seen) else seen
    police = request.app.state.police_systems
    return await _handed_over(
        request,
        police,
        lambda: police.decide_breach(file.case.police_reference, decision),
        case_id,
        session,
        form,
        sent=f"police decision {decision.get('decision')} on breach {decision['breach_sequence']} sent to intake",
        purpose=Purpose.DIVERSION_DECISION,
        done="decided",
    )


@router.post("/cases/{case_id}/placement", response_class=HTMLResponse)
async def place_by_hand(request: Request, case_id: UUID, session: TeamPerson) -> Response:
    """Needs no agency could take, placed by the team with the agency it chose, with a reason: the router decides
    whether the agency may take them (it owns every placement), and announces the referral."""
    form = await checked_form(request, session)
    if await _teams_case(request, case_id, session) is None:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    unplaced = {str(r.referral_id): r for r in await in_transaction(request, lambda uow: _unplaced(uow, case_id))}
    referral = unplaced.get(form.get("referral_id", ""))
    if referral is None:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    agency_id, reason = form.get("agency", "").strip(), form.get("placement_reason", "").strip()
    problems = {
        **({} if agency_id else {"agency": "Choose the agency that will take the needs"}),
        **({} if reason else {"placement_reason": "Say why this agency"}),
    }
    if problems:
        return await _case_page(request, case_id, session, errors=problems, form=form, status_code=422)
    person = session.person
    placements = request.app.state.hand_placements
    placed_by = f"{person.name} (diversion team)"
    return await _handed_over(
        request,
        placements,
        lambda: placements.place(
            referral.referral_id, agency_id=agency_id, reason=reason, placed_by=placed_by, actor=person.actor
        ),
        case_id,
        session,
        form,
        sent=f"placement of unmatched referral {referral.referral_id} with {agency_id} sent to the router",
        purpose=Purpose.REFERRAL,
        done="placed",
        fields={"agency_id": "agency", "reason": "placement_reason"},
    )


@router.post("/cases/{case_id}/notes", response_class=HTMLResponse)
async def write_note(request: Request, case_id: UUID, session: TeamPerson) -> Response:
    """A note from the team to the agency holding one of the case's referrals, under the person's name (the agencies'
    own notes come from the portal): the same use case as the API's, the text sealed like every note."""
    form = await checked_form(request, session)
    if await _teams_case(request, case_id, session) is None:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    referrals = await in_transaction(request, lambda uow: team_views.referrals_of_case(uow.connection, case_id))
    referral = next((r for r in referrals if str(r.referral_id) == form.get("referral_id") and r.issued_at), None)
    if referral is None:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    field = f"note-{referral.referral_id}"
    try:
        body = NoteRequest(text=form.get(field, "").strip())
    except ValidationError:
        problem = {field: "Write the note (at most 1,000 characters)"}
        return await _case_page(request, case_id, session, errors=problem, form=form, status_code=422)
    await work_routes.write_note(request, referral.referral_id, body, as_team(session))
    return RedirectResponse(f"/team/cases/{case_id}?done=noted", status_code=303)


async def _teams_case(request: Request, case_id: UUID, session: Session):
    """The case the diversion team acts on (None: no such case). Operations see the queue and the cases; the team
    decides and writes."""
    file = await in_transaction(request, lambda uow: uow.store.case_file(case_id, request.app.state.context.rules))
    if file is not None and session.person.role is not Role.DIVERSION_TEAM:
        raise NotAllowed()
    return file


async def _handed_over(
    request: Request,
    service: ServiceCommands | None,
    command,
    case_id: UUID,
    session: Session,
    form: dict[str, str],
    *,
    sent: str,
    purpose: Purpose,
    done: str,
    fields: dict[str, str] | None = None,
) -> Response:
    """Hand the team's command to the service that owns it. Done: who sent it is audited here (`sent`, the service
    records it under the person's name) and the case's page says so (`done`). Not done: the case's page again with
    why — the service's own reasons by field (`fields` renames the service's to the form's), or that it could not
    be reached (nothing was done)."""
    if service is None:
        problem = {"": "This cannot be recorded from here: the service that owns it is not configured."}
        return await _case_page(request, case_id, session, errors=problem, form=form, status_code=503)
    try:
        refused: Refusal | None = await command()
    except ServiceUnavailable:
        where = service.name[:1].upper() + service.name[1:]
        problem = {"": f"{where} could not be reached: nothing was recorded. Try again later."}
        return await _case_page(request, case_id, session, errors=problem, form=form, status_code=503)
    if refused is not None:
        named = {(fields or {}).get(name, name): text for name, text in refused.problems.items()}
        problems = {name: f"{words(name)}: {text[:1].lower()}{text[1:]}" for name, text in named.items()}
        return await _case_page(
            request,
            case_id,
            session,
            errors=problems or {"": refused.message},
            form=form,
            status_code=refused.status_code,
        )

    async def audited(uow) -> None:
        uow.audit(actor=session.person.actor, action=Action.ALTERATION, purpose=purpose, case_id=case_id, detail=sent)

    await in_transaction(request, audited)
    return RedirectResponse(f"/team/cases/{case_id}?done={done}", status_code=303)


async def _unplaced(uow, case_id: UUID) -> list[team_views.ReferralLine]:
    return [
        r for r in await team_views.referrals_of_case(uow.connection, case_id) if r.status == ReferralStatus.UNMATCHED
    ]


async def _case_page(
    request: Request,
    case_id: UUID,
    session: Session,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = request.app.state.context

    async def read(uow):
        file = await uow.store.case_file(case_id, context.rules)
        if file is None:
            return None
        referrals = await team_views.referrals_of_case(uow.connection, case_id)
        updates = {r.referral_id: await agency_views.updates(uow.connection, r.referral_id) for r in referrals}
        return file, referrals, updates

    found = await in_transaction(request, read)
    if found is None:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    file, referrals, updates = found
    notes = {
        r.referral_id: await work_routes.read_notes(request, r.referral_id, as_team(session))
        for r in referrals
        if r.issued_at is not None
    }
    return page(
        request,
        "case.html",
        status_code,
        session=session,
        done=done,
        form=form or {},
        decisions=list(PoliceDecision),
        can_decide=request.app.state.police_systems is not None,
        can_place=request.app.state.hand_placements is not None,
        unplaced=[
            Option(str(r.referral_id), ", ".join(words(need) for need in r.needs))
            for r in referrals
            if r.status == ReferralStatus.UNMATCHED and file.tracking
        ],
        agency_names=context.workflow.names,
        agencies=sorted(
            (
                Option(agency_id, context.workflow.names.get(agency_id, agency_id))
                for agency_id in context.workflow.agencies
            ),
            key=lambda option: option.label,
        ),
        case=file.case,
        conditions=file.conditions,
        referrals=referrals,
        updates=updates,
        notes=notes,
        errors=errors or {},
    )
