"""The agencies' work on their referrals, and the diversion team's decisions on it: each use case checks that the
agency holds the referral, lets the domain apply the step, stores it and publishes what it changed — in the one
transaction, over HTTP and Kafka alike.

What is published: every step as `referral.work.recorded` (on `diversion.compliance.v1`, and a copy on the agency's
own topic); a programme's assessment as `needs.found` (the router refers onward what the person agreed to); a
safeguarding concern — raised, or behaviour flagged in a session — as `concern.recorded`, with a copy on the force's
`diversion.concerns.{force}.v1`. Free text about the person is sealed under the case's data key before it is kept,
and never published.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from platform_plumbing.audit_trail import Action, Purpose
from schemas.base import Event
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
from schemas.commands.agency import AgencyUpdate, GoalResult
from schemas.events import (
    NeedFound,
    ProgrammeNeedsFound,
    ReferralWorkRecorded,
    SafeguardingConcernAcknowledged,
    SafeguardingConcernRecorded,
)
from schemas.topics import AGENCY_REFERRALS, CONCERNS
from schemas.vocabulary import ConcernKind, NoteAuthor, Urgency, WorkStep
from services.compliance.domain import referral_work, safeguarding
from services.compliance.domain.agency_reports import check_time
from services.compliance.domain.case_file import CaseFile
from services.compliance.domain.case_notes import CaseNote
from services.compliance.domain.entities import Referral
from services.compliance.domain.programme_assessments import FoundNeed, assess
from services.compliance.domain.referral_progress import IllegalTransition
from services.compliance.domain.referral_work import GoalMet, PlanItem, ReferralWork
from services.compliance.domain.safeguarding import Concern
from services.compliance.service_layer import handlers
from services.compliance.service_layer.personal_data import sealed_text
from services.compliance.service_layer.unit_of_work import UnitOfWork


class UnknownPlan(LookupError):
    def __init__(self) -> None:
        super().__init__("no action plan with this id")


class UnknownConcern(LookupError):
    def __init__(self) -> None:
        super().__init__("no concern with this id")


@dataclass(frozen=True)
class WorkResult:
    referral_id: UUID
    applied: bool
    """False when the step was only recorded: sent again, or nothing changed."""


@dataclass(frozen=True)
class Held:
    """A referral the agency holds, under its case's lock, and the work on it so far."""

    file: CaseFile
    referral: Referral
    work: ReferralWork


async def held(update: AgencyUpdate, uow: UnitOfWork) -> Held:
    """The referral `update` names, if the agency it names holds it (it was issued to it); NotYourReferral else, and
    UnknownReferral when no such referral exists here (on Kafka it may still be on its way)."""
    file, referral, owner = await handlers.owned(update, uow)
    if not owner.issued:
        raise handlers.NotYourReferral()
    check_time(file, referral, update.occurred_at, uow.now())
    work = await uow.work.work(referral.referral_id, owner.case_id, update.agency_id)
    return Held(file, referral, work)


async def any_referral(referral_id: UUID, uow: UnitOfWork) -> Held:
    """A referral issued to an agency, for the diversion team (NotYourReferral when there is no such referral)."""
    owner = await uow.store.owner_of(referral_id)
    if owner is None or not owner.issued:
        raise handlers.NotYourReferral()
    file = await uow.store.case_file(owner.case_id, uow.context.rules)
    return Held(file, file.referral(referral_id), await uow.work.work(referral_id, owner.case_id, owner.agency_id))


async def agency_work(update: AgencyUpdate, uow: UnitOfWork, *, received_via: str, actor: str) -> WorkResult:
    """Apply one step of an agency's work (any of `schemas.registry.AGENCY_WORK`)."""
    at = await held(update, uow)
    applied = await _STEPS[type(update)](update, at, uow, actor)
    await stored(at, uow)
    if applied:
        uow.audit(
            actor=actor,
            action=Action.ALTERATION,
            purpose=Purpose.DELIVERING_INTERVENTION,
            case_id=at.file.case.case_id,
            referral_id=at.referral.referral_id,
            detail=f"{_step_name(update)} (via {received_via})",
        )
    return WorkResult(at.referral.referral_id, applied)


def _step_name(update: AgencyUpdate) -> str:
    """The command's CloudEvents type, short: `uk.police.diversion.caseworker.assign.v1` -> `caseworker.assign`."""
    return ".".join(update.command_type.split(".")[3:-1])


async def _caseworker(update: CaseworkerAssigned, at: Held, uow: UnitOfWork, actor: str) -> bool:
    return referral_work.assign_caseworker(at.work, at.referral, update.caseworker, update.occurred_at)


async def _first_contact(update: FirstContactMade, at: Held, uow: UnitOfWork, actor: str) -> bool:
    workflow = uow.context.workflow
    terms = workflow.of(at.referral.agency_id)
    return referral_work.first_contact(
        at.work, at.referral, update.method, update.occurred_at, terms, workflow.bank_holidays
    )


async def _plan(update: ActionPlanSubmitted, at: Held, uow: UnitOfWork, actor: str) -> bool:
    return referral_work.submit_plan(
        at.work,
        at.referral,
        update.plan_id,
        tuple(PlanItem(item.need, item.activity) for item in update.activities),
        tuple(PlanItem(item.need, item.goal) for item in update.goals),
        update.sessions_planned,
        update.occurred_at,
        uow.context.workflow.of(at.referral.agency_id),
    )


async def _session(update: SessionRecorded, at: Held, uow: UnitOfWork, actor: str) -> bool:
    case_id = at.file.case.case_id
    notes = await sealed_text(case_id, "session_notes", update.notes, uow)
    applied = referral_work.record_session(
        at.work,
        at.referral,
        update.appointment_id,
        update.engagement,
        update.concerning_behaviour,
        notes,
        update.occurred_at,
    )
    if applied and update.concerning_behaviour:
        kind, urgency = ConcernKind.CONCERNING_BEHAVIOUR, Urgency.WITHIN_24_HOURS
        await _raise(_concern(at, uow.context.new_id(), kind, urgency, notes, update.occurred_at), uow, actor)
    return applied


async def _report(update: EndOfServiceReportSubmitted, at: Held, uow: UnitOfWork, actor: str) -> bool:
    summary = await sealed_text(at.file.case.case_id, "report_summary", update.summary, uow)
    return referral_work.submit_report(
        at.work,
        at.referral,
        tuple((need.need, need.outcome) for need in update.needs),
        tuple(GoalMet(goal.need, goal.goal, goal.outcome) for goal in update.goals),
        summary,
        update.occurred_at,
        uow.context.workflow.of(at.referral.agency_id),
    )


async def _assessment(update: ProgrammeAssessmentSubmitted, at: Held, uow: UnitOfWork, actor: str) -> bool:
    case_id = at.file.case.case_id
    found = tuple(FoundNeed(need.category, need.severity, need.onward) for need in update.needs)
    assessment = assess(
        at.referral,
        case_id,
        update.assessment_id,
        found,
        update.occurred_at,
        await uow.work.assessments_of(at.referral.referral_id),
    )
    if assessment is None:
        return False
    await uow.work.add_assessment(assessment)
    uow.outbox.publish(
        ProgrammeNeedsFound(
            case_id=case_id,
            referral_id=assessment.referral_id,
            agency_id=assessment.agency_id,
            assessment_id=assessment.assessment_id,
            version=assessment.version,
            needs=tuple(NeedFound(category=n.category, severity=n.severity, onward=n.onward) for n in found),
            assessed_at=assessment.assessed_at,
        )
    )
    uow.audit(
        actor=actor,
        action=Action.COLLECTION,
        purpose=Purpose.DELIVERING_INTERVENTION,
        case_id=case_id,
        referral_id=assessment.referral_id,
        fields=("needs",),
        detail=f"programme assessment {assessment.version}: {len(found)} need(s) found",
    )
    return True


async def _note(update: CaseNoteWritten, at: Held, uow: UnitOfWork, actor: str) -> bool:
    return await write_note(at, update.note_id, NoteAuthor.AGENCY, actor, update.text, update.occurred_at, uow)


async def _concern_raised(update: ConcernRaised, at: Held, uow: UnitOfWork, actor: str) -> bool:
    details = await sealed_text(at.file.case.case_id, "concern", update.details, uow)
    return await _raise(
        _concern(at, update.concern_id, update.kind, update.urgency, details, update.occurred_at), uow, actor
    )


_STEPS: dict[type[AgencyUpdate], Callable[[AgencyUpdate, Held, UnitOfWork, str], Awaitable[bool]]] = {
    CaseworkerAssigned: _caseworker,
    FirstContactMade: _first_contact,
    ProgrammeAssessmentSubmitted: _assessment,
    ActionPlanSubmitted: _plan,
    SessionRecorded: _session,
    EndOfServiceReportSubmitted: _report,
    CaseNoteWritten: _note,
    ConcernRaised: _concern_raised,
}
"""Each step of an agency's work, by the command that reports it."""


async def reported_goals(referral_id: UUID, case_id: UUID, agency_id: str, uow: UnitOfWork) -> tuple[GoalResult, ...]:
    """The goals of the referral's end-of-service report (each need, where the report names no goal), for a
    completion reported without its own."""
    report = (await uow.work.work(referral_id, case_id, agency_id)).report
    if report is None:
        raise IllegalTransition("submit the end-of-service report before completing the referral")
    goals = tuple(GoalResult(need=g.need, goal=g.goal, outcome=g.outcome) for g in report.goals)
    needs = tuple(GoalResult(need=need, goal=need.value.replace("_", " "), outcome=o) for need, o in report.needs)
    return goals or needs


# -- notes --------------------------------------------------------------------------------------------------------


async def write_note(
    at: Held, note_id: UUID, author: NoteAuthor, written_by: str, text: str, written_at: datetime, uow: UnitOfWork
) -> bool:
    """Keep a note on the referral (sealed) and record the step; the same note again changes nothing."""
    case_id = at.file.case.case_id
    sealed = await sealed_text(case_id, "note", text, uow)
    if sealed is None:
        raise IllegalTransition("the person's details were erased: nothing more is kept about them")
    note = CaseNote(note_id, case_id, at.referral.referral_id, author, written_by, sealed, written_at)
    if not await uow.work.add_note(note):
        return False
    at.work.record(WorkStep.CASE_NOTE_WRITTEN, written_at, note_id=note_id)
    uow.audit(
        actor=written_by,
        action=Action.COLLECTION,
        purpose=Purpose.DELIVERING_INTERVENTION,
        case_id=case_id,
        referral_id=at.referral.referral_id,
        fields=("note",),
        detail=f"case note by the {author.value.replace('_', ' ')}",
    )
    return True


# -- safeguarding -------------------------------------------------------------------------------------------------


def _concern(
    at: Held, concern_id: UUID, kind: ConcernKind, urgency: Urgency, details: str | None, raised_at: datetime
) -> Concern:
    case = at.file.case
    return Concern(
        concern_id=concern_id,
        case_id=case.case_id,
        referral_id=at.referral.referral_id,
        agency_id=at.referral.agency_id,
        force_id=case.force_id,
        police_reference=case.police_reference,
        kind=kind,
        urgency=urgency,
        details=details,
        raised_at=raised_at,
    )


async def _raise(concern: Concern, uow: UnitOfWork, actor: str) -> bool:
    if not await uow.work.add_concern(concern):
        return False
    event = SafeguardingConcernRecorded(
        case_id=concern.case_id,
        concern_id=concern.concern_id,
        referral_id=concern.referral_id,
        agency_id=concern.agency_id,
        force_id=concern.force_id,
        police_reference=concern.police_reference,
        kind=concern.kind,
        urgency=concern.urgency,
        raised_at=concern.raised_at,
    )
    _tell_the_force(concern, event, uow)
    uow.audit(
        actor=actor,
        action=Action.COLLECTION,
        purpose=Purpose.SAFEGUARDING,
        case_id=concern.case_id,
        referral_id=concern.referral_id,
        fields=("concern",) if concern.details else (),
        detail=f"safeguarding concern ({concern.kind.value}, {concern.urgency.value}) for {concern.force_id}",
    )
    return True


def _tell_the_force(concern: Concern, event: Event, uow: UnitOfWork) -> None:
    """A concern's news goes home and, at once, to its force's own concerns topic (no details: those are read)."""
    uow.outbox.publish(event)
    uow.outbox.publish_to(CONCERNS.named(concern.force_id), event)


async def acknowledge_concern(concern_id: UUID, by: str, uow: UnitOfWork, *, actor: str) -> Concern:
    """A named person takes the concern on; the first to do so stands."""
    concern = await uow.work.concern(concern_id, for_update=True)
    if concern is None:
        raise UnknownConcern()
    if safeguarding.acknowledge(concern, by, uow.now()):
        await uow.work.acknowledge(concern)
        event = SafeguardingConcernAcknowledged(
            case_id=concern.case_id,
            concern_id=concern.concern_id,
            force_id=concern.force_id,
            police_reference=concern.police_reference,
            acknowledged_by=by,
            acknowledged_at=concern.acknowledged_at,
        )
        _tell_the_force(concern, event, uow)
        uow.audit(
            actor=actor,
            action=Action.ALTERATION,
            purpose=Purpose.SAFEGUARDING,
            case_id=concern.case_id,
            referral_id=concern.referral_id,
            detail=f"concern acknowledged by {by}",
        )
    return concern


# -- the diversion team's decisions on plans ----------------------------------------------------------------------


async def decide_plan(
    plan_id: UUID, approve: bool, by: str, reason: str | None, uow: UnitOfWork, *, actor: str
) -> referral_work.ActionPlan:
    """Approve an action plan version awaiting approval, or return it with `reason`."""
    located = await uow.work.plan(plan_id)
    if located is None:
        raise UnknownPlan()
    referral_id, case_id, agency_id = located
    file = await uow.store.case_file(case_id, uow.context.rules)
    work = await uow.work.work(referral_id, case_id, agency_id)
    at = Held(file, file.referral(referral_id), work)
    plan = work.plan_by_id(plan_id)
    if approve:
        applied = referral_work.approve_plan(work, plan, by, uow.now())
    else:
        applied = referral_work.return_plan(work, plan, by, reason, uow.now())
    await stored(at, uow)
    if applied:
        uow.audit(
            actor=actor,
            action=Action.ALTERATION,
            purpose=Purpose.COMPLIANCE_MONITORING,
            case_id=case_id,
            referral_id=referral_id,
            detail=f"action plan version {plan.version} {plan.status.value} by {by}",
        )
    return plan


# -- storing and publishing ---------------------------------------------------------------------------------------


async def stored(at: Held, uow: UnitOfWork) -> None:
    """Write the work and publish each step applied, in order, home and on the agency's own topic."""
    work = at.work
    if not work.steps:
        return
    uow.work.save(work, now=uow.now())
    first = work.sequence - len(work.steps) + 1
    events = [
        ReferralWorkRecorded(
            case_id=work.case_id,
            referral_id=work.referral_id,
            agency_id=work.agency_id,
            step=step.step,
            occurred_at=step.occurred_at,
            sequence=first + index,
            **step.fields,
        )
        for index, step in enumerate(work.steps)
    ]
    work.steps.clear()
    uow.outbox.publish(*events)
    uow.outbox.publish_to(AGENCY_REFERRALS.named(work.agency_id), *events)
