"""The agency portal: a caseworker's list of their agency's referrals and each referral's page, from which every
step of the work is done — accept or decline, caseworker, first contact, the programme's assessment with the
onward referrals the person agrees to, the action plan, appointments and how each session went, the end-of-service
report, completion, notes to the diversion team and a safeguarding concern (issue 25).

Each form is validated by the API's own request model and posted to the API's own route function, with the person
as the agency's client: the same use case, the same authorisation (another agency's referral is 404 here too) and
the same audit entry, under the person's name and their agency's. Nothing about the person is put in a URL.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from schemas.vocabulary import (
    AppointmentPurpose,
    ConcernKind,
    ContactMethod,
    DeclineReason,
    DeliveryMode,
    Engagement,
    GoalOutcome,
    NeedCategory,
    OnwardReferral,
    ReferralStatus,
    Severity,
    Urgency,
)
from services.compliance.adapters import agency_views
from services.compliance.adapters.gateway_clients import GatewayClient
from services.compliance.adapters.people_store import Session
from services.compliance.domain.agency_reports import ImplausibleTime
from services.compliance.domain.referral_progress import OPEN, IllegalTransition
from services.compliance.entrypoints import http_api, work_routes
from services.compliance.entrypoints.http_api import AgencyPurpose, in_transaction
from services.compliance.entrypoints.http_models import (
    AcceptRequest,
    AttendedRequest,
    CompletionRequest,
    DeclineRequest,
    MissedRequest,
    ScheduleRequest,
)
from services.compliance.entrypoints.web.pages import LONDON, page
from services.compliance.entrypoints.web.signed_in import AgencyPerson, checked_form
from services.compliance.entrypoints.work_models import (
    ActionPlanRequest,
    AssessmentRequest,
    CaseworkerRequest,
    ConcernRequest,
    EndOfServiceReportRequest,
    FirstContactRequest,
    NoteRequest,
    SessionRequest,
)
from services.compliance.service_layer import handlers

router = APIRouter(prefix="/portal", include_in_schema=False)
ROW_NUMBER = re.compile(r"[0-9]{1,2}")
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")
REFERENCE_CHARACTERS = re.compile(r"[0-9A-Fa-f-]")
"""What a reference may hold: whatever else was typed (a space, a stray letter) is dropped, not refused."""
LOCAL_TIMES = frozenset({"scheduled_for"})
"""Fields a page asks as a date and time on the wall clock."""


@dataclass(frozen=True)
class Step:
    title: str
    body: type[BaseModel]
    route: Callable[..., Awaitable[Any]]
    """The API's route function: (request, referral_id, [appointment_id,] body, client)."""
    per_appointment: bool = False


STEPS: dict[str, Step] = {
    "accept": Step("Referral accepted", AcceptRequest, http_api.accept),
    "decline": Step("Referral declined", DeclineRequest, http_api.decline),
    "caseworker": Step("Caseworker assigned", CaseworkerRequest, work_routes.caseworker),
    "first-contact": Step("First contact recorded", FirstContactRequest, work_routes.first_contact),
    "assessment": Step("Assessment recorded", AssessmentRequest, work_routes.assessment),
    "action-plan": Step("Action plan submitted", ActionPlanRequest, work_routes.action_plan),
    "appointment": Step("Appointment scheduled", ScheduleRequest, http_api.schedule),
    "attended": Step("Attendance recorded", AttendedRequest, http_api.attended, per_appointment=True),
    "missed": Step("Absence recorded", MissedRequest, http_api.missed, per_appointment=True),
    "session": Step("Session recorded", SessionRequest, work_routes.session, per_appointment=True),
    "end-of-service-report": Step(
        "End-of-service report submitted", EndOfServiceReportRequest, work_routes.end_of_service_report
    ),
    "complete": Step("Referral completed", CompletionRequest, http_api.complete),
    "note": Step("Note sent to the diversion team", NoteRequest, work_routes.write_note),
    "concern": Step("Safeguarding concern raised: the police were told", ConcernRequest, work_routes.raise_concern),
}
"""Every form of a referral's page, by the last part of its address."""

CHOICES = {
    "category": list(NeedCategory),
    "need": list(NeedCategory),
    "severity": list(Severity),
    "onward": list(OnwardReferral),
    "outcome": list(GoalOutcome),
    "method": list(ContactMethod),
    "engagement": list(Engagement),
    "kind": list(ConcernKind),
    "urgency": list(Urgency),
    "reason": list(DeclineReason),
    "purpose": list(AppointmentPurpose),
    "mode": list(DeliveryMode),
}


def as_client(session: Session) -> GatewayClient:
    """The person as their agency's client of the API: its agency, and their own name for the audit trail."""
    person = session.person
    return GatewayClient(person.actor, "agency", person.agency_id, person.name)


@router.get("/referrals", response_class=HTMLResponse)
async def referrals(
    request: Request,
    session: AgencyPerson,
    status: Annotated[str | None, Query(max_length=40)] = None,
    caseworker: Annotated[str | None, Query(max_length=200)] = None,
    reference: Annotated[str | None, Query(max_length=100)] = None,
    due: Annotated[str | None, Query(pattern="^(14_days)?$")] = None,
) -> Response:
    """The agency's referrals in hand by default (or of one status), nearest deadline first."""
    agency = session.person.agency_id
    chosen = [status] if status in {s.value for s in ReferralStatus} else sorted(s.value for s in OPEN)
    context = request.app.state.context

    async def read(uow):
        rows = await agency_views.worklist(
            uow.connection,
            agency,
            statuses=chosen,
            caseworker=caseworker or None,
            reference="".join(REFERENCE_CHARACTERS.findall(reference or "")) or None,
            complete_by=context.clock.now().date() + timedelta(days=14) if due else None,
            limit=500,
        )
        return rows, await agency_views.caseworkers(uow.connection, agency)

    rows, caseworkers = await in_transaction(request, read)
    return page(
        request,
        "referrals.html",
        session=session,
        agency_name=context.workflow.of(agency).name or agency,
        rows=rows,
        caseworkers=caseworkers,
        statuses=list(ReferralStatus),
        chosen={"status": status or "", "caseworker": caseworker or "", "reference": reference or "", "due": due or ""},
    )


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
async def referral(request: Request, referral_id: UUID, session: AgencyPerson, done: str | None = None) -> Response:
    return await _referral_page(request, referral_id, session, done=STEPS[done].title if done in STEPS else None)


async def _referral_page(
    request: Request,
    referral_id: UUID,
    session: Session,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    step: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    client = as_client(session)
    try:
        detail = await http_api.read_referral(request, referral_id, client, AgencyPurpose.DELIVERING_INTERVENTION)
        notes = await work_routes.read_notes(request, referral_id, client)
        appointments = await in_transaction(request, lambda uow: agency_views.appointments(uow.connection, referral_id))
    except handlers.NotYourReferral:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    return page(
        request,
        "referral.html",
        status_code,
        session=session,
        referral=detail,
        notes=notes,
        appointments=appointments,
        reference=str(referral_id)[:8].upper(),
        done=done,
        errors=errors or {},
        step=step,
        form=form or {},
        choices=CHOICES,
        in_hand=ReferralStatus(detail.status) in OPEN,
    )


@router.post("/referrals/{referral_id}/{step_name}", response_class=HTMLResponse)
async def do_step(request: Request, referral_id: UUID, step_name: str, session: AgencyPerson) -> Response:
    step = STEPS.get(step_name)
    if step is None:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    fields = await checked_form(request, session)
    path: dict[str, Any] = {}
    if step.per_appointment:
        try:
            path["appointment_id"] = UUID(fields.pop("appointment_id", ""))
        except ValueError:
            problem = {"appointment_id": "Choose an appointment."}
            return await _again(request, referral_id, session, step_name, fields, problem, 422)
    try:
        body = step.body.model_validate(typed(step.body, form_body(fields)))
        await step.route(request, referral_id, **path, body=body, client=as_client(session))
    except handlers.NotYourReferral:
        return page(request, "problem.html", 404, title="Page not found", session=session)
    except (ValidationError, RequestValidationError) as invalid:
        return await _again(request, referral_id, session, step_name, fields, _problems(invalid.errors()), 422)
    except (IllegalTransition, ImplausibleTime, HTTPException) as refused:
        message = getattr(refused, "detail", None) or str(refused)
        return await _again(request, referral_id, session, step_name, fields, {"": str(message)}, 409)
    return RedirectResponse(f"/portal/referrals/{referral_id}?done={step_name}", status_code=303)


async def _again(request, referral_id, session, step_name, fields, errors, status_code) -> Response:
    return await _referral_page(
        request, referral_id, session, errors=errors, step=step_name, form=fields, status_code=status_code
    )


def form_body(fields: dict[str, str]) -> dict[str, Any]:
    """Form fields as a request body: `needs.0.category` -> {"needs": [{"category": …}]}; a row left wholly blank and
    a blank field are left out (so the model's own default applies); a ticked box is `true`."""
    body: dict[str, Any] = {}
    rows: dict[str, dict[int, dict[str, str]]] = {}
    for name, value in fields.items():
        value = value.strip()
        parts = name.split(".")
        if len(parts) == 3 and ROW_NUMBER.fullmatch(parts[1]):
            rows.setdefault(parts[0], {}).setdefault(int(parts[1]), {})[parts[2]] = value
        elif value:
            body[name] = _aware(value) if name in LOCAL_TIMES else value
    for name, numbered in rows.items():
        body[name] = [
            {field: value for field, value in row.items() if value}
            for _, row in sorted(numbered.items())
            if any(row.values())
        ]
    return body


def typed(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    """A form's text as the JSON types the API's strict model takes: a whole number where it wants an integer (what
    is not one stays text, for the model to refuse in words), `true`/`false` where it wants a yes or no."""
    kinds = {name: field.get("type") for name, field in model.model_json_schema()["properties"].items()}
    return {name: _as(kinds.get(name), value) for name, value in body.items()}


def _as(kind: str | None, value: Any) -> Any:
    if kind == "integer" and isinstance(value, str) and WHOLE_NUMBER.fullmatch(value):
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _aware(value: str) -> str:
    """A browser's `datetime-local` answer (no zone) as the UK time it was meant as; anything else as it came."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=LONDON)).isoformat()


def _problems(errors: list[dict]) -> dict[str, str]:
    """Pydantic's errors by form field name (`needs.0.category`), each saying which answer and what to do."""
    problems: dict[str, str] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        chosen = bool(location) and location[-1] in CHOICES
        problems.setdefault(".".join(location), f"{_answer(location)}: {_message(error, chosen)}")
    return problems


def _answer(location: list[str]) -> str:
    """`['needs', '1', 'category']` -> `Needs 2, category`; `['details']` -> `Details`."""
    if not location:
        return "Your answers"
    words = [str(int(part) + 1) if ROW_NUMBER.fullmatch(part) else part.replace("_", " ") for part in location]
    return " ".join(words[:2]).capitalize() + (", " + ", ".join(words[2:]) if len(words) > 2 else "")


def _message(error: dict, chosen: bool) -> str:
    """`chosen`: the answer is picked from a list."""
    kind = error.get("type", "")
    if kind in ("enum", "literal_error") or (kind == "missing" and chosen):
        return "choose one of the options"
    if kind == "missing":
        return "answer this"
    text = str(error.get("msg", "check this answer")).removeprefix("Value error, ")
    return text[:1].lower() + text[1:]
