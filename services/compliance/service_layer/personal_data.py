"""Personal data at compliance, the one place sealed details are opened: for an entitled agency's read,
and never again once the case's data key is erased — on the operations team's request or by the
retention sweep (see `platform_plumbing.personal_data` for the sealing).

Erasure destroys the key (every sealed copy, on any topic or table, becomes unreadable) and drops the
sealed copies compliance keeps; the case, its outcome and the pseudonymous `subject_ref` stay, so reports
and the 24-month reoffending figure still count it. Each erasure is in the audit trail, without the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from platform_plumbing import keyring
from platform_plumbing.audit_trail import Action, Purpose
from schemas.topics import DEAD_LETTERS
from schemas.vocabulary import ErasureReason
from services.compliance.domain.entities import CONCLUDED
from services.compliance.service_layer.unit_of_work import UnitOfWork

RETENTION_ACTOR = "compliance retention sweep"
LETTERS_KEPT = timedelta(milliseconds=DEAD_LETTERS.retention_ms)
"""A sealed dead letter's key is kept as long as the dead-letter topic keeps the letter, and no longer."""


class UnknownCase(LookupError):
    def __init__(self) -> None:
        super().__init__("no case with this id is known to compliance")


class CaseStillOpen(RuntimeError):
    """An open case's details are still needed by its agencies; erasing them needs `force`."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the case is {status}: its agencies still need the details; erase with force to override")


@dataclass(frozen=True)
class Erasure:
    case_id: UUID
    erased: bool
    """False when the key was already gone (an earlier erasure, or retention)."""
    forced: bool
    """The case was not concluded."""


async def opened_for_agency(case_id: UUID, sealed: Mapping[str, str] | None, uow: UnitOfWork) -> dict | None:
    """The plain values of the sealed fields an agency may see, or None when there are none or the
    person's details were erased."""
    if not sealed:
        return None
    wrapped = await keyring.wrapped_key(uow.connection, case_id)
    if wrapped is None:
        return None
    return uow.context.person_keys.unwrap(case_id, wrapped).open(sealed)


async def sealed_text(case_id: UUID, field: str, text: str | None, uow: UnitOfWork) -> str | None:
    """Free text about the person sealed under the case's data key as `field`; None when there is no text, or
    the person's details were erased (nothing more is kept about them)."""
    if text is None:
        return None
    wrapped = await keyring.wrapped_key(uow.connection, case_id)
    if wrapped is None:
        return None
    return uow.context.person_keys.unwrap(case_id, wrapped).seal_text(field, text)


async def opened_texts(case_id: UUID, sealed: Sequence[tuple[str, str | None]], uow: UnitOfWork) -> list[str | None]:
    """The plain text of each (field, sealed text) given: None where there is none, or the details were erased."""
    wrapped = await keyring.wrapped_key(uow.connection, case_id) if any(text for _, text in sealed) else None
    if wrapped is None:
        return [None for _ in sealed]
    key = uow.context.person_keys.unwrap(case_id, wrapped)
    return [key.open_text(field, text) if text else None for field, text in sealed]


async def erase(case_id: UUID, reason: ErasureReason, uow: UnitOfWork, *, force: bool, actor: str) -> Erasure:
    """Erase the person's details of one case; refused while the case is not concluded unless `force`."""
    standing = await uow.store.case_standing(case_id)
    if standing is None:
        raise UnknownCase()
    status, force_id, police_reference = standing
    still_open = status not in CONCLUDED
    if still_open and not force:
        raise CaseStillOpen(status.value)
    erased = bool(await keyring.destroy(uow.connection, [case_id]))
    letters = await keyring.destroy_letter_keys(uow.connection, force_id, police_reference)
    await uow.store.forget_personal_details([case_id])
    uow.audit(
        actor=actor,
        action=Action.ERASURE,
        purpose=Purpose.ERASURE_REQUEST,
        case_id=case_id,
        detail=f"erasure: {reason.value}"
        + (f", forced while {status.value}" if still_open else "")
        + ("" if erased else ", already erased")
        + (f", and {letters} dead letter(s) naming the case" if letters else ""),
    )
    return Erasure(case_id, erased, still_open)


async def sweep_retention(uow: UnitOfWork, *, limit: int = 100) -> int:
    """Erase the details of cases concluded longer ago than the rules keep them, and the keys of dead letters
    older than the dead-letter topic keeps them. Safe on every replica at once: a case another replica holds
    is skipped, and a key is deleted (and audited) by one of them only."""
    before = uow.now() - uow.context.rules.personal_details_kept
    due = await uow.store.concluded_with_personal_data(before, CONCLUDED, limit=limit)
    erased = await keyring.destroy(uow.connection, due)
    await uow.store.forget_personal_details(erased)
    for case_id in erased:
        uow.audit(
            actor=RETENTION_ACTOR,
            action=Action.ERASURE,
            purpose=Purpose.RETENTION,
            case_id=case_id,
            detail="erasure: retention period after conclusion passed",
        )
    expired = await keyring.expire_letter_keys(uow.connection, uow.now() - LETTERS_KEPT)
    if expired:
        uow.audit(
            actor=RETENTION_ACTOR,
            action=Action.ERASURE,
            purpose=Purpose.RETENTION,
            detail=f"erasure: the keys of {expired} dead letter(s) the dead-letter topic no longer keeps",
        )
    return len(due) + expired
