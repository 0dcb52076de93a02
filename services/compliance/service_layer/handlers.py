"""Compliance's reactions: cases and referrals as they are published, agency updates from either door,
deadlines passing with no event at all, and reoffending signals."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

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
    CaseOpened,
    CaseWithdrawn,
    DeadlineExtended,
    ReferralCancelled,
    ReferralIssued,
    ReferralReassigned,
    ReoffendingSignal,
)
from schemas.vocabulary import NonComplianceReason
from services.compliance.adapters.compliance_store import TrackedCase, TrackedReferral
from services.compliance.domain.case_outcome import CaseStatus, all_work_done, deadline_passed
from services.compliance.domain.referral_progress import OPEN, Progress, Status, Step, Update, apply
from services.compliance.service_layer.outcomes import breach_case, complete_case, conditions_met
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
    referral: TrackedReferral
    applied: bool
    case_status: str


async def case_opened(event: CaseOpened, uow: UnitOfWork) -> bool:
    """Track the case and its conditions; True when events are held waiting for it."""
    case = TrackedCase(
        case_id=event.case_id,
        subject_ref=event.subject_ref,
        force_id=event.force_id,
        police_reference=event.police_reference,
        disposal_type=event.disposal_type,
        offence_category=event.offence_category.value,
        domestic_abuse=event.domestic_abuse,
        decided_at=event.decided_at,
        complete_by=event.complete_by,
        status=CaseStatus.OPEN,
    )
    recorded = await uow.store.add_case(case, now=uow.context.clock.now())
    if recorded.added:
        await uow.store.add_conditions(
            event.case_id,
            [
                (c.condition_id, c.kind.value, c.description, c.addresses_need.value if c.addresses_need else None)
                for c in event.conditions
            ],
        )
    return recorded.awaited


async def case_withdrawn(event: CaseWithdrawn, uow: UnitOfWork) -> None:
    case = await uow.store.case(event.case_id, for_update=True)
    if case is not None and case.status == CaseStatus.OPEN:
        await uow.store.close_case(case.case_id, CaseStatus.WITHDRAWN, event.reason.value, at=uow.context.clock.now())


async def deadline_extended(event: DeadlineExtended, uow: UnitOfWork) -> None:
    case = await uow.store.case(event.case_id, for_update=True)
    if case is not None and case.status == CaseStatus.OPEN:
        await uow.store.set_deadline(case.case_id, event.complete_by, now=uow.context.clock.now())


async def referral_issued(event: ReferralIssued, uow: UnitOfWork) -> bool:
    """Track the referral; True when events are held waiting for it, UnknownCase when its case has not
    been read yet."""
    referral = TrackedReferral(
        referral_id=event.referral_id,
        case_id=event.case_id,
        agency_id=event.agency_id,
        needs=[n.category.value for n in event.needs],
        delivery_mode=event.delivery_mode.value,
        progress=Progress(),
        issued_at=uow.context.clock.now(),
        respond_by=event.respond_by,
    )
    personal = event.personal.model_dump(mode="json") if event.personal else None
    recorded = await uow.store.add_referral(referral, personal, now=uow.context.clock.now())
    if recorded is None:
        raise UnknownCase()
    return recorded.awaited


async def referral_closed_by_router(event: ReferralReassigned | ReferralCancelled, uow: UnitOfWork) -> None:
    """The router closed a referral it had issued; UnknownReferral when that issue has not been read yet."""
    referral = await uow.store.referral(event.referral_id, for_update=True)
    if referral is None:
        raise UnknownReferral()
    if referral.progress.status in OPEN | {Status.DECLINED, Status.AGENCY_WITHDREW}:
        status = Status.REASSIGNED if isinstance(event, ReferralReassigned) else Status.CANCELLED
        await uow.store.save_progress(
            referral.referral_id, Progress(status, referral.progress.unacceptable_absences), now=uow.context.clock.now()
        )


async def agency_update(update: AgencyUpdate, uow: UnitOfWork, *, received_via: str) -> UpdateResult:
    """Apply an agency's update to its referral and, through it, to the case.

    Raises NotYourReferral when the agency does not hold the referral (UnknownReferral when no such
    referral exists here), IllegalTransition when the
    update contradicts the referral's state. An update accepted over HTTP is forwarded on
    `diversion.agency-updates.v1` so the router hears it as it would hear one sent to Kafka.
    """
    referral = await uow.store.referral(update.referral_id, for_update=True)
    if referral is None:
        raise UnknownReferral()
    if referral.agency_id != update.agency_id or referral.case_id != update.case_id:
        raise NotYourReferral()
    case = await uow.store.case(referral.case_id, for_update=True)
    kind = UPDATE_KINDS[type(update)]
    acceptable = update.absence_acceptable if isinstance(update, AppointmentMissed) else True
    if isinstance(update, AppointmentMissed) and await uow.store.miss_recorded(
        referral.referral_id, update.appointment_id
    ):
        step = Step(referral.progress, applied=False)  # the same absence reported again counts once
    else:
        step = apply(referral.progress, kind, uow.context.rules, absence_acceptable=acceptable)
    now = uow.context.clock.now()
    await uow.store.record_update(
        referral.referral_id,
        update.agency_id,
        kind.value,
        update.occurred_at,
        applied=step.applied,
        detail=_detail(update),
        received_via=received_via,
        now=now,
    )
    if received_via == "http":
        await uow.outbox.publish(update)
    if not step.applied:
        return UpdateResult(referral, applied=False, case_status=case.status)
    await uow.store.save_progress(referral.referral_id, step.progress, now=now)
    updated = TrackedReferral(**{**vars(referral), "progress": step.progress})
    case_status = (
        await _follow_case(case, updated, step.breach, update, uow) if case.status == CaseStatus.OPEN else case.status
    )
    return UpdateResult(updated, applied=True, case_status=case_status)


async def sweep_deadlines(uow: UnitOfWork, *, limit: int = 100) -> int:
    """Breach open cases whose deadline passed with no event at all. Safe on every replica at once:
    each case is taken under a row lock that other replicas skip."""
    now = uow.context.clock.now()
    overdue = await uow.store.overdue_cases(now.date(), limit=limit)
    for case in overdue:
        if deadline_passed(case.complete_by, now):
            await breach_case(case, NonComplianceReason.DEADLINE_PASSED, None, uow)
    return len(overdue)


async def reoffending_signal(event: ReoffendingSignal, uow: UnitOfWork) -> None:
    await uow.store.add_reoffending_signal(event.subject_ref, event.named_on, event.domestic_abuse)


async def _follow_case(
    case: TrackedCase,
    referral: TrackedReferral,
    breach: NonComplianceReason | None,
    update: AgencyUpdate,
    uow: UnitOfWork,
) -> str:
    """Carry the referral's change through to its open case; return the case's status afterwards."""
    if breach is not None:
        return await breach_case(case, breach, referral.needs, uow)
    if referral.progress.status != Status.COMPLETED:
        return case.status
    if deadline_passed(case.complete_by, update.occurred_at):
        return await breach_case(case, NonComplianceReason.DEADLINE_PASSED, None, uow)
    await conditions_met(case, referral.needs, uow)
    statuses = [r.progress.status for r in await uow.store.referrals_of_case(case.case_id)]
    if not all_work_done(statuses):
        return case.status
    await conditions_met(case, None, uow)
    return await complete_case(case, uow)


def _detail(update: AgencyUpdate) -> dict:
    """What the update said, minus the ids the row already has; agencies put no personal data in updates."""
    return update.model_dump(mode="json", exclude={"case_id", "referral_id", "agency_id", "occurred_at"})


async def case_id_of(referral_id: UUID, agency_id: str, uow: UnitOfWork) -> UUID:
    """The case of a referral the agency holds; NotYourReferral otherwise (existence is not revealed)."""
    referral = await uow.store.referral(referral_id)
    if referral is None or referral.agency_id != agency_id:
        raise NotYourReferral()
    return referral.case_id
