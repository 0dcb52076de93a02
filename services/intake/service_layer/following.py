"""Intake follows compliance's decisions, so the police see every outcome where they decided the case.

Compliance owns the case's status after opening, and each condition's and referral's; intake applies
a change only when it is newer than the one it holds (`sequence`), and writes it into the case's dated
history in words a police officer reads.
"""

from __future__ import annotations

from schemas.events import CaseStatusChanged, ConditionStatusChanged, ReferralStatusChanged
from services.intake.domain.cases import FollowedReferral
from services.intake.service_layer.unit_of_work import UnitOfWork


async def case_changed(event: CaseStatusChanged, uow: UnitOfWork) -> None:
    reason = event.reason.value if event.reason else None
    next_step = event.next_step.value if event.next_step else None
    if await uow.cases.follow_case(
        event.case_id, event.status.value, reason, next_step, event.sequence, now=uow.context.clock.now()
    ):
        why = [part for part in (reason, event.police_decision and f"police decision: {event.police_decision}") if part]
        detail = event.status.value.replace("_", " ") + (f" ({'; '.join(why)})" if why else "")
        uow.cases.record(event.case_id, "case status", detail, at=event.changed_at)


async def condition_changed(event: ConditionStatusChanged, uow: UnitOfWork) -> None:
    reason = event.reason.value if event.reason else None
    if await uow.cases.follow_condition(
        event.condition_id, event.status.value, reason, event.amount_paid_pence, event.hours_done, event.sequence
    ):
        progress = ", ".join(
            part
            for part in (
                event.amount_paid_pence and f"£{event.amount_paid_pence / 100:.2f} paid",
                event.hours_done and f"{event.hours_done} h done",
                reason,
            )
            if part
        )
        detail = f"{event.kind.value} condition {event.status.value}" + (f" ({progress})" if progress else "")
        uow.cases.record(event.case_id, "condition", detail, at=event.changed_at)


async def referral_changed(event: ReferralStatusChanged, uow: UnitOfWork) -> None:
    referral = FollowedReferral(
        referral_id=event.referral_id,
        agency_id=event.agency_id,
        needs=[need.value for need in event.needs],
        status=event.status.value,
        reason=event.reason,
        updated_at=event.changed_at,
    )
    if await uow.cases.follow_referral(event.case_id, referral, event.sequence):
        to = event.agency_id or "no agency yet"
        detail = f"referral to {to}: {event.status.value.replace('_', ' ')}" + (
            f" ({event.reason})" if event.reason else ""
        )
        uow.cases.record(event.case_id, "referral", detail, at=event.changed_at)
