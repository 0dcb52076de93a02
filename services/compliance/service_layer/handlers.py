"""Compliance's use cases. Each loads the case file under its row lock, lets the domain apply one fact,
stores what changed and publishes every change, in one transaction.

The facts come from intake (cases opened, the police's later decisions), the router (placements),
agencies (over the gateway or Kafka) and the passing of time (deadlines, unanswered referrals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from platform_plumbing.audit_trail import Action, Purpose
from schemas.calendar import local_date
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
from schemas.events import (
    BreachDecisionRecorded,
    CaseCondition,
    CaseOpened,
    CaseWithdrawn,
    ConditionProgressReported,
    DeadlineExtended,
    ReferralIssued,
    ReferralQueued,
    ReferralRecalled,
    ReferralUnmatched,
    ReoffendingSignal,
)
from schemas.topics import AGENCY_REFERRALS, OUTCOMES, VICTIM_UPDATES
from schemas.vocabulary import ReferralStatus, VictimViews
from services.compliance.adapters.compliance_store import ReferralOwner
from services.compliance.domain import agency_reports, placements, police_actions, referral_work, reminders
from services.compliance.domain.case_file import CaseFile
from services.compliance.domain.entities import Case, Condition, Referral
from services.compliance.domain.referral_progress import OPEN, Update
from services.compliance.domain.signals import check_signal
from services.compliance.service_layer.publication import agency_copies, events_of, force_copies, victim_copies
from services.compliance.service_layer.unit_of_work import UnitOfWork

UPDATE_KINDS: dict[type[AgencyUpdate], Update] = {
    ReferralAccepted: Update.ACCEPT,
    ReferralDeclined: Update.DECLINE,
    AppointmentScheduled: Update.SCHEDULE,
    AppointmentAttended: Update.ATTEND,
    AppointmentMissed: Update.MISS,
    InterventionCompleted: Update.COMPLETE,
    Disengaged: Update.DISENGAGE,
    Withdrawn: Update.WITHDRAW,
}


class NotYourReferral(LookupError):
    """No referral with this id is held by the agency (it may not exist at all); says nothing more."""

    def __init__(self) -> None:
        super().__init__("no referral with this id is held by your agency")


class UnknownReferral(NotYourReferral):
    """No referral with this id exists here (yet): on Kafka it may still be on its way."""


class UnknownCase(LookupError):
    """No case with this id exists here (yet): on Kafka it may still be on its way."""


@dataclass(frozen=True)
class UpdateResult:
    referral: Referral
    applied: bool
    case_status: str


async def case_opened(event: CaseOpened, uow: UnitOfWork) -> bool:
    """Track the case and its conditions; True when events are held waiting for it."""
    case = Case(
        case_id=event.case_id,
        subject_ref=event.subject_ref,
        force_id=event.force_id,
        police_reference=event.police_reference,
        disposal_type=event.disposal_type,
        offence_category=event.offence_category.value,
        domestic_abuse=event.domestic_abuse,
        decided_at=event.decided_at,
        complete_by=event.complete_by,
        age_at_offence=event.age_at_offence,
        victim=event.victim_views is not None and event.victim_views != VictimViews.NO_IDENTIFIABLE_VICTIM,
    )
    conditions = [condition_of(c) for c in event.conditions]
    recorded = await uow.store.add_case(case, conditions, uow.context.rules, now=uow.now())
    return recorded.awaited


async def placed(event: ReferralIssued | ReferralQueued | ReferralUnmatched, uow: UnitOfWork) -> bool:
    """Track a referral the router placed; True when events are held waiting for it."""
    file = await _file(event.case_id, uow)
    placement = placements.Placement(
        referral_id=event.referral_id,
        agency_id=getattr(event, "agency_id", None),
        needs=tuple(need.category for need in event.needs),
        status=_PLACED_AS[type(event)],
        issued_at=getattr(event, "issued_at", None),
        respond_by=getattr(event, "respond_by", None),
        replaces=event.replaces,
        onward_from=event.onward_from,
    )
    referral = placements.place(file, placement)
    awaited = await _commit(file, uow)
    brief = event.brief.model_dump(mode="json", exclude_defaults=True) if isinstance(event, ReferralIssued) else {}
    personal = event.personal.model_dump(mode="json", exclude_none=True) if getattr(event, "personal", None) else None
    mode = getattr(event, "delivery_mode", None)  # none for needs no agency could take
    uow.store.save_delivery(
        referral.referral_id,
        delivery_mode=mode.value if mode else "",
        brief=brief,
        personal=personal,
        explanation=event.explanation,
    )
    return referral.referral_id in awaited


_PLACED_AS = {
    ReferralIssued: ReferralStatus.ISSUED,
    ReferralQueued: ReferralStatus.QUEUED,
    ReferralUnmatched: ReferralStatus.UNMATCHED,
}


async def recalled(event: ReferralRecalled, uow: UnitOfWork) -> None:
    file = await _file(event.case_id, uow)
    referral = file.referral(event.referral_id)
    if referral is None:
        raise UnknownReferral()
    placements.recall(file, referral)
    await _commit(file, uow)


async def owned(update: AgencyUpdate, uow: UnitOfWork) -> tuple[CaseFile, Referral, ReferralOwner]:
    """The case file and referral `update` names, and who holds it, if the agency it names holds it: NotYourReferral
    when another does (or it is another case's), UnknownReferral when no such referral exists here (yet)."""
    owner = await uow.store.owner_of(update.referral_id)
    if owner is None:
        raise UnknownReferral()
    if owner.agency_id != update.agency_id or owner.case_id != update.case_id:
        raise NotYourReferral()
    file = await _file(owner.case_id, uow)
    return file, file.referral(update.referral_id), owner


async def agency_update(update: AgencyUpdate, uow: UnitOfWork, *, received_via: str, actor: str) -> UpdateResult:
    """Apply an agency's update to its referral and, through it, to the case; an applied one is an
    alteration in the audit trail, by `actor` (the agency's gateway client, or its Kafka principal).

    Raises NotYourReferral when the agency does not hold the referral (UnknownReferral when no such
    referral exists here), IllegalTransition when the update contradicts the referral's state and
    ImplausibleTime when it cannot have happened when it says.
    """
    file, referral, owner = await owned(update, uow)
    kind = UPDATE_KINDS[type(update)]
    if kind == Update.COMPLETE and referral.status in OPEN:
        referral_work.may_complete(await uow.work.work(referral.referral_id, owner.case_id, update.agency_id))
    report = agency_reports.AgencyReport(
        update=kind,
        occurred_at=update.occurred_at,
        appointment_id=getattr(update, "appointment_id", None),
        absence_acceptable=getattr(update, "absence_acceptable", True),
    )
    step = agency_reports.report(file, referral, report, now=uow.now())
    uow.store.record_update(
        referral.referral_id,
        update.agency_id,
        kind.value,
        update.occurred_at,
        applied=step.applied,
        detail=update.model_dump(mode="json", exclude={"case_id", "referral_id", "agency_id", "occurred_at"}),
        received_via=received_via,
        now=uow.now(),
    )
    await _commit(file, uow)
    if isinstance(update, AppointmentScheduled) and referral.status in OPEN:
        await _remind(file, referral, update, uow)
    if step.applied:
        uow.audit(
            actor=actor,
            action=Action.ALTERATION,
            purpose=Purpose.REPORTING_PROGRESS,
            case_id=owner.case_id,
            referral_id=referral.referral_id,
            detail=f"referral {kind.value} (via {received_via})",
        )
    return UpdateResult(referral, applied=step.applied, case_status=file.case.status.value)


async def _remind(file: CaseFile, referral: Referral, scheduled: AppointmentScheduled, uow: UnitOfWork) -> None:
    """Plan the person's reminder of an appointment just scheduled (one per appointment; none for one past)."""
    reminder = reminders.plan(
        uow.context.new_id(),
        file.case.case_id,
        referral.referral_id,
        scheduled.appointment_id,
        scheduled.scheduled_for,
        now=uow.now(),
        lead=uow.context.reminder_lead,
    )
    if reminder is not None:
        uow.work.plan_reminder(reminder, now=uow.now())


async def condition_reported(event: ConditionProgressReported, uow: UnitOfWork) -> None:
    file = await _file(event.case_id, uow)
    condition = file.condition(event.condition_id)
    progress = police_actions.ProgressReported(event.report, event.occurred_at, event.amount_pence, event.hours)
    applied = condition is not None and police_actions.report_progress(file, condition, progress)
    uow.store.record_condition_report(file.case.case_id, event.model_dump(), applied=applied, now=uow.now())
    await _commit(file, uow)


async def breach_decided(event: BreachDecisionRecorded, uow: UnitOfWork) -> None:
    file = await _file(event.case_id, uow)
    breach_reason = file.case.reason.value if file.case.reason else None
    decision = police_actions.Decision(
        decision=event.decision,
        breach_sequence=event.breach_sequence,
        complete_by=event.complete_by,
        varied_conditions=[condition_of(c) for c in event.varied_conditions],
    )
    applied = police_actions.decide(file, decision)
    uow.store.record_police_decision(
        file.case.case_id, event.model_dump(), breach_reason=breach_reason, applied=applied, now=uow.now()
    )
    await _commit(file, uow)


async def case_withdrawn(event: CaseWithdrawn, uow: UnitOfWork) -> None:
    await _apply(event.case_id, police_actions.withdraw, uow)


async def deadline_extended(event: DeadlineExtended, uow: UnitOfWork) -> None:
    await _apply(event.case_id, lambda file: police_actions.extend_deadline(file, event.complete_by), uow)


async def reoffending_signal(event: ReoffendingSignal, uow: UnitOfWork) -> None:
    """Keep a believable signal (`domain/signals.py`); refuse one dated in the future or before the diversion."""
    first = await uow.store.first_diverted_on(event.force_id, event.subject_ref)
    check_signal(event.named_on, today=local_date(uow.now()), first_diverted_on=first)
    uow.store.add_reoffending_signal(event.force_id, event.subject_ref, event.named_on, event.domestic_abuse)


async def sweep_deadlines(uow: UnitOfWork, *, limit: int = 100) -> int:
    """Judge open cases whose deadline (or a condition's) has passed with no event at all. Safe on every
    replica at once: each case is taken under a row lock that other replicas skip."""
    today = local_date(uow.now())
    overdue = await uow.store.overdue_cases(today, limit=limit)
    for case_id in overdue:
        await _apply(case_id, lambda file: file.deadlines_passed(today), uow)
    return len(overdue)


async def sweep_unanswered(uow: UnitOfWork, *, limit: int = 100) -> int:
    """Time out referrals their agency neither accepted nor declined within its service level (the router
    then places the needs elsewhere). Replica-safe as above."""
    now = uow.now()
    unanswered = await uow.store.unanswered(now, limit=limit)
    for case_id, referral_id in unanswered:
        await _apply(case_id, lambda file, referral_id=referral_id: file.time_out(file.referral(referral_id), now), uow)
    return len(unanswered)


def condition_of(condition: CaseCondition) -> Condition:
    return Condition(
        condition_id=condition.condition_id,
        kind=condition.kind,
        description=condition.description,
        evidence=condition.evidence,
        reported_by=condition.reported_by,
        addresses_need=condition.addresses_need,
        hours=condition.hours,
        amount_pence=condition.amount_pence,
        own_complete_by=condition.complete_by,
    )


async def case_id_of(referral_id: UUID, agency_id: str | None, uow: UnitOfWork) -> UUID:
    """The case of a referral the agency holds (`agency_id` None: issued to any agency, for the diversion team);
    NotYourReferral otherwise (existence is not revealed)."""
    owner = await uow.store.owner_of(referral_id)
    if owner is None or (agency_id is not None and owner.agency_id != agency_id) or not owner.issued:
        raise NotYourReferral()
    return owner.case_id


async def _file(case_id: UUID, uow: UnitOfWork) -> CaseFile:
    file = await uow.store.case_file(case_id, uow.context.rules)
    if file is None:
        raise UnknownCase()
    return file


async def _apply(case_id: UUID, change: Callable[[CaseFile], object], uow: UnitOfWork) -> None:
    file = await _file(case_id, uow)
    change(file)
    await _commit(file, uow)


async def _commit(file: CaseFile, uow: UnitOfWork) -> set[UUID]:
    awaited = await uow.store.save(file, now=uow.now())
    events = events_of(file, uow.now())
    uow.outbox.publish(*events)
    for agency, copies in agency_copies(file, events).items():
        uow.outbox.publish_to(AGENCY_REFERRALS.named(agency), *copies)
    if outcomes := force_copies(events):
        uow.outbox.publish_to(OUTCOMES.named(file.case.force_id), *outcomes)
    if told := victim_copies(file, events):
        uow.outbox.publish_to(VICTIM_UPDATES.named(file.case.force_id), *told)
    file.stored()
    return awaited
