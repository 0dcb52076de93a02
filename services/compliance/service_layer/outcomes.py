"""Concluding a case: mark its conditions and publish the outcome police systems act on."""

from __future__ import annotations

from schemas.events import CaseBreached, CaseCompleted, CaseNonCompletion, ConditionBreached, ConditionCompleted
from schemas.vocabulary import BreachNextStep, NonComplianceReason
from services.compliance.adapters.compliance_store import TrackedCase
from services.compliance.domain.case_outcome import CaseStatus, breach_outcome
from services.compliance.service_layer.unit_of_work import UnitOfWork


async def conditions_met(case: TrackedCase, needs: list[str] | None, uow: UnitOfWork) -> None:
    """The conditions addressing `needs` (all open ones when None) are met."""
    met = await uow.store.open_conditions(case.case_id, needs)
    await uow.store.set_condition_status(met, "completed")
    now = uow.context.clock.now()
    await uow.outbox.publish(*(ConditionCompleted(case_id=case.case_id, condition_id=c, completed_at=now) for c in met))


async def complete_case(case: TrackedCase, uow: UnitOfWork) -> CaseStatus:
    now = uow.context.clock.now()
    await uow.store.close_case(case.case_id, CaseStatus.COMPLETED, None, at=now)
    await uow.outbox.publish(
        CaseCompleted(
            case_id=case.case_id,
            force_id=case.force_id,
            police_reference=case.police_reference,
            disposal_type=case.disposal_type,
            completed_at=now,
        )
    )
    return CaseStatus.COMPLETED


async def breach_case(
    case: TrackedCase, reason: NonComplianceReason, needs: list[str] | None, uow: UnitOfWork
) -> CaseStatus:
    """The conditions addressing `needs` (all open ones when None) are breached, and so is the case —
    or, for a Community Resolution, it is recorded as not completed."""
    now = uow.context.clock.now()
    breached = await uow.store.open_conditions(case.case_id, needs)
    await uow.store.set_condition_status(breached, "breached")
    await uow.outbox.publish(
        *(ConditionBreached(case_id=case.case_id, condition_id=c, reason=reason, breached_at=now) for c in breached)
    )
    status, path = breach_outcome(case.disposal_type, uow.context.rules)
    await uow.store.close_case(case.case_id, status, reason.value, at=now)
    police = {
        "case_id": case.case_id,
        "force_id": case.force_id,
        "police_reference": case.police_reference,
        "disposal_type": case.disposal_type,
        "reason": reason,
    }
    if status == CaseStatus.NON_COMPLETION:
        await uow.outbox.publish(CaseNonCompletion(**police, recorded_at=now))
    else:
        await uow.outbox.publish(CaseBreached(**police, next_step=BreachNextStep(path.value), breached_at=now))
    return status
