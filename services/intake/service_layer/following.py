"""Intake follows compliance's decisions, so the police see every outcome where they decided the case.

Compliance owns the case's status after opening, and each condition's and referral's; intake applies
a change only when it is newer than the one it holds (`sequence`), and writes it into the case's dated
history in words a police officer reads. It follows the agencies' work as far as the police need it: what a
programme's own assessment found (kept, the latest version) and each safeguarding concern (in the history; a
concern's details stay sealed at compliance, where the force reads them). The steps of the work itself (caseworker,
plan, sessions, report) are the agency's and the diversion team's: not copied to the police.
"""

from __future__ import annotations

from schemas.events import (
    CaseStatusChanged,
    ConditionStatusChanged,
    ProgrammeNeedsFound,
    ReferralStatusChanged,
    ReferralWorkRecorded,
    SafeguardingConcernAcknowledged,
    SafeguardingConcernRecorded,
)
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


async def needs_found(event: ProgrammeNeedsFound, uow: UnitOfWork) -> None:
    needs = [need.model_dump(mode="json") for need in event.needs]
    if await uow.cases.follow_assessment(
        event.case_id, event.referral_id, event.agency_id, event.version, needs, event.assessed_at
    ):
        found = ", ".join(f"{_words(n.category)} ({n.severity.value}, onward: {_words(n.onward)})" for n in event.needs)
        detail = f"{event.agency_id} assessed the person: {found or 'no needs found'}"
        uow.cases.record(event.case_id, "programme assessment", detail, at=event.assessed_at)


async def concern_recorded(event: SafeguardingConcernRecorded, uow: UnitOfWork) -> None:
    if await uow.cases.holds(event.case_id):
        detail = (
            f"{event.agency_id} raised a safeguarding concern: {_words(event.kind)}, {_words(event.urgency)}"
            f" (concern {event.concern_id}: the details are read from the compliance service)"
        )
        uow.cases.record(event.case_id, "safeguarding concern", detail, at=event.raised_at)


async def concern_acknowledged(event: SafeguardingConcernAcknowledged, uow: UnitOfWork) -> None:
    if await uow.cases.holds(event.case_id):
        detail = f"concern {event.concern_id} taken on by {event.acknowledged_by}"
        uow.cases.record(event.case_id, "safeguarding concern", detail, at=event.acknowledged_at)


async def not_followed(event: ReferralWorkRecorded, uow: UnitOfWork) -> None:
    """A step of an agency's work: not the police's to hold (and, five or more per referral, each copied into the case
    history cost intake a lookup and a row per step: what `make bench` found dominating its statements)."""


def _words(value) -> str:
    return value.value.replace("_", " ")
