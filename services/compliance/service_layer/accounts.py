"""Signing in as oneself, and the accounts an agency's administrator or operations manage (issue 25).

Passwords are checked with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile) and re-hashed when
those defaults move on. A wrong email, a wrong password and a disabled account are refused alike, after the same
work, so the answer says nothing about which accounts exist. A session is a random token whose hash is kept, with
the token its forms carry against cross-site requests; it lasts a working day.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from platform_plumbing.audit_trail import Action, Purpose
from services.compliance.adapters.people_store import Session
from services.compliance.domain.people import NotAllowed, Person, Role, new_person_checked
from services.compliance.service_layer.unit_of_work import UnitOfWork

HASHER = PasswordHasher()
SESSION_LENGTH = timedelta(hours=8)
HANDOFF_LENGTH = timedelta(minutes=1)
"""How long the code that hands a signed-in person to the operations dashboard lives: a redirect's time."""
MIN_PASSWORD_LENGTH = 12
"""The NCSC's advice: length, not composition rules."""
_NOBODY = HASHER.hash(secrets.token_urlsafe(16))
"""Checked against when no account has the email, so that a refusal takes as long either way."""
_HASHING = asyncio.Semaphore(2)
"""Argon2 is slow and memory-hard by design: it runs in threads, two at a time, never on the event loop that the
service's consumers and its concern lane share (a flood of sign-ins must not hold a safeguarding concern up)."""
_NAME = re.compile(r"[^\x00-\x1f\x7f]{2,100}")
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,255}\.[a-z]{2,63}")


class SignInRefused(Exception):
    def __init__(self) -> None:
        super().__init__("The email address or password is not right, or the account is disabled.")


class InvalidAccount(ValueError):
    """What is wrong with a new account's `field`, in words for the person making it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


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
        await _matches(_NOBODY, password)
        raise SignInRefused()
    person, password_hash = found
    if not await _matches(password_hash, password) or person.disabled_at is not None:
        raise SignInRefused()
    if HASHER.check_needs_rehash(password_hash):
        await uow.people.rehash(person.person_id, await _hashed(password))
    token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = wall_clock()
    await uow.people.purge_sessions(now=now)
    await uow.people.open_session(token, person.person_id, csrf_token, now=now, until=now + SESSION_LENGTH)
    return SignedIn(token, Session(person, csrf_token, now + SESSION_LENGTH))


async def hand_off(person: Person, uow: UnitOfWork) -> str:
    """A one-time code with which the operations dashboard signs `person` in (the diversion team and operations
    only): sent to the dashboard in a redirect, redeemed by the dashboard with its own key (`redeem`)."""
    if not person.works_for_team:
        raise NotAllowed()
    code, now = secrets.token_urlsafe(32), wall_clock()
    await uow.people.hand_off(code, person.person_id, now=now, until=now + HANDOFF_LENGTH)
    return code


async def redeem(code: str, redeemed_by: str, uow: UnitOfWork) -> Person | None:
    """The person `code` was handed to, once, within its minute; the sign-in is audited under their name, with the
    client that redeemed it."""
    person = await uow.people.redeem(code, now=wall_clock())
    if person is not None:
        detail = f"signed in to the operations dashboard (redeemed by {redeemed_by})"
        uow.audit(actor=person.actor, action=Action.CONSULTATION, purpose=Purpose.OPERATIONS_SUPPORT, detail=detail)
    return person


def wall_clock() -> datetime:
    """Sessions live on the wall clock, not the service's (which the demo runs 50,000 times faster): a working day
    is a working day for the person at the screen."""
    return datetime.now(UTC)


async def _matches(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async with _HASHING:
        return await asyncio.to_thread(verify)


async def _hashed(password: str) -> str:
    async with _HASHING:
        return await asyncio.to_thread(HASHER.hash, password)


async def add_person(
    by: Person, *, email: str, name: str, role: Role, agency_id: str | None, password: str, uow: UnitOfWork
) -> Person:
    """A new account `by` may create (NotAllowed otherwise; an agency's administrator only at their agency)."""
    new_person_checked(by, role, agency_id)
    name, email = name.strip(), email.strip().lower()
    if not _NAME.fullmatch(name):
        raise InvalidAccount("name", "Enter their name: 2 to 100 letters, spaces or punctuation.")
    if not _EMAIL.fullmatch(email):
        raise InvalidAccount("email", "Enter an email address like name@example.org.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccount("password", f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    person = Person(uow.context.new_id(), email, name, role, agency_id)
    if not await uow.people.add(person, await _hashed(password), by=by.actor, now=uow.now()):
        raise InvalidAccount("email", "An account with this email address exists already.")
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
