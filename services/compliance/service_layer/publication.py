"""Every change the domain made to a case file, as the event that tells the services that follow it.

Intake shows these to the police, the router counts agency capacity and re-places work from them;
each carries the entity's `sequence`, so a follower applies a change only when it is newer than what
it holds. The case's force gets a copy of the changes to the case and its conditions on its own topic,
to act on; a partner agency a copy of every change to a referral issued to it on its own (each topic
readable by its party only); the force's victim-contact role a copy of each change to the outcome of a case
with a victim (`diversion.victim-updates.{force}.v1`, which only that role reads).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from schemas.base import Event
from schemas.events import CaseStatusChanged, ConditionStatusChanged, ReferralStatusChanged
from services.compliance.domain.case_file import CaseFile, Change
from services.compliance.domain.entities import Case, Condition, Referral


def _case(file: CaseFile, change: Change, at: datetime) -> Event:
    case: Case = change.entity
    return CaseStatusChanged(
        case_id=case.case_id,
        force_id=case.force_id,
        police_reference=case.police_reference,
        disposal_type=case.disposal_type,
        status=case.status,
        previous_status=change.previous,
        reason=case.reason,
        next_step=case.next_step,
        police_decision=case.police_decision,
        complete_by=case.complete_by,
        sequence=case.sequence,
        changed_at=at,
    )


def _condition(file: CaseFile, change: Change, at: datetime) -> Event:
    condition: Condition = change.entity
    return ConditionStatusChanged(
        case_id=file.case.case_id,
        condition_id=condition.condition_id,
        kind=condition.kind,
        status=condition.status,
        reason=condition.reason,
        amount_paid_pence=condition.amount_paid_pence,
        hours_done=condition.hours_done,
        sequence=condition.sequence,
        changed_at=at,
    )


def _referral(file: CaseFile, change: Change, at: datetime) -> Event:
    referral: Referral = change.entity
    return ReferralStatusChanged(
        case_id=file.case.case_id,
        referral_id=referral.referral_id,
        agency_id=referral.agency_id,
        needs=referral.needs,
        status=referral.status,
        previous_status=change.previous,
        reason=referral.reason,
        sequence=referral.sequence,
        changed_at=at,
    )


_EVENT_FOR: dict[type, Callable[[CaseFile, Change, datetime], Event]] = {
    Case: _case,
    Condition: _condition,
    Referral: _referral,
}


def events_of(file: CaseFile, at: datetime) -> list[Event]:
    """The file's changes, in the order they were made, as events."""
    return [_EVENT_FOR[type(change.entity)](file, change, at) for change in file.changes]


def force_copies(events: list[Event]) -> list[Event]:
    """The changes the case's force reads on its own outcomes topic: its case's and its conditions'."""
    return [event for event in events if type(event) in FORCE_SEES]


FORCE_SEES = (CaseStatusChanged, ConditionStatusChanged)


def victim_copies(file: CaseFile, events: list[Event]) -> list[Event]:
    """The changes the force's victim-contact role reads on its own topic, to tell the victim (Victims' Code): a
    case's outcome, for a case with an identifiable victim. Nothing about the person's conditions or agencies."""
    return [event for event in events if isinstance(event, CaseStatusChanged)] if file.case.victim else []


def agency_copies(file: CaseFile, events: list[Event]) -> dict[str, list[Event]]:
    """agency -> the referral changes its own topic carries: those of referrals issued to it (a referral
    queued for it and cancelled before a place freed was never the agency's business)."""
    copies: dict[str, list[Event]] = {}
    for event in events:
        issued = isinstance(event, ReferralStatusChanged) and file.referral(event.referral_id).issued_at is not None
        if issued and event.agency_id is not None:
            copies.setdefault(event.agency_id, []).append(event)
    return copies
