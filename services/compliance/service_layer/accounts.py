"""Signing in as oneself, and the accounts an agency's administrator or operations manage (issue 25).

Passwords are checked with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile) and re-hashed when
those defaults move on. A wrong email, a wrong password and a disabled account are refused alike, after the same
work, so the answer says nothing about which accounts exist. A session is a random token whose hash is kept, with
the token its forms carry against cross-site requests; it lasts a working day.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from platform_plumbing.audit_trail import Action, Purpose
from services.compliance.adapters.people_store import Session
from services.compliance.domain.people import NotAllowed, Person, Role, new_person_checked
from services.compliance.service_layer.unit_of_work import UnitOfWork

HASHER = PasswordHasher()
SESSION_LENGTH = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 12
"""The NCSC's advice: length, not composition rules."""
_NOBODY = HASHER.hash(secrets.token_urlsafe(16))
"""Checked against when no account has the email, so that a refusal takes as long either way."""


class SignInRefused(Exception):
    def __init__(self) -> None:
        super().__init__("The email address or password is not right, or the account is disabled.")


class EmailTaken(Exception):
    def __init__(self) -> None:
        super().__init__("An account with this email address exists already.")


class UnknownPerson(LookupError):
    """No account with this id that the signed-in person manages."""


@dataclass(frozen=True)
class SignedIn:
    token: str
    """For the cookie only: it is kept nowhere else."""
    session: Session


async def sign_in(email: str, password: str, uow: UnitOfWork) -> SignedIn:
    found = await uow.people.with_password(email)
    if found is None:
        _matches(_NOBODY, password)
        raise SignInRefused()
    person, password_hash = found
    if not _matches(password_hash, password) or person.disabled_at is not None:
        raise SignInRefused()
    if HASHER.check_needs_rehash(password_hash):
        await uow.people.rehash(person.person_id, HASHER.hash(password))
    token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = uow.now()
    await uow.people.purge_sessions(now=now)
    await uow.people.open_session(token, person.person_id, csrf_token, now=now, until=now + SESSION_LENGTH)
    return SignedIn(token, Session(person, csrf_token, now + SESSION_LENGTH))


def _matches(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def add_person(
    by: Person, *, email: str, name: str, role: Role, agency_id: str | None, password: str, uow: UnitOfWork
) -> Person:
    """A new account `by` may create (NotAllowed otherwise; an agency's administrator only at their agency)."""
    new_person_checked(by, role, agency_id)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    person = Person(uow.context.new_id(), email.strip().lower(), name.strip(), role, agency_id)
    if not await uow.people.add(person, HASHER.hash(password), by=by.actor, now=uow.now()):
        raise EmailTaken()
    _audited(uow, by, f"account created for {person.email} ({role.value})")
    return person


async def disable_person(by: Person, person_id: UUID, uow: UnitOfWork) -> Person:
    """Disable an account `by` manages and end its sessions; its history stays attributable."""
    person = await uow.people.person(person_id)
    if person is None or not by.may_manage(person.role, person.agency_id):
        raise UnknownPerson()
    if person.person_id == by.person_id:
        raise NotAllowed()
    await uow.people.disable(person_id, by=by.actor, now=uow.now())
    _audited(uow, by, f"account disabled for {person.email}")
    return person


def _audited(uow: UnitOfWork, by: Person, detail: str) -> None:
    """An account names a person (a member of staff): its creation and end are alterations of personal data."""
    uow.audit(actor=by.actor, action=Action.ALTERATION, purpose=Purpose.ACCOUNT_MANAGEMENT, detail=detail)
