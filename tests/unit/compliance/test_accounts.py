"""Signing in and managing accounts as use cases on plain objects (a fake unit of work): the same refusal for an
unknown email, a wrong password and a disabled account; a session opened with its own CSRF token; an account made
only by who may, with a long enough password, audited; one's own account not disabled by oneself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from services.compliance.domain.people import NotAllowed, Person, Role
from services.compliance.service_layer import accounts

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)


@dataclass
class FakePeople:
    people: dict[str, tuple[Person, str]] = field(default_factory=dict)
    sessions: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)

    async def with_password(self, email):
        return self.people.get(email.strip().lower())

    async def add(self, person, password_hash, *, by, now):
        if person.email in self.people:
            return False
        self.people[person.email] = (person, password_hash)
        return True

    async def person(self, person_id):
        return next((p for p, _ in self.people.values() if p.person_id == person_id), None)

    async def rehash(self, person_id, password_hash):
        raise AssertionError("fresh hashes need no rehash")

    async def disable(self, person_id, *, by, now):
        for email, (p, h) in list(self.people.items()):
            if p.person_id == person_id:
                self.people[email] = (replace(p, disabled_at=now), h)
        self.sessions = {t: s for t, s in self.sessions.items() if s[0] != person_id}

    async def purge_sessions(self, *, now):
        pass

    async def open_session(self, token, person_id, csrf_token, *, now, until):
        self.sessions[token] = (person_id, csrf_token)


@dataclass
class FakeContext:
    def new_id(self):
        return uuid.uuid4()


@dataclass
class FakeUnitOfWork:
    people: FakePeople = field(default_factory=FakePeople)
    context: FakeContext = field(default_factory=FakeContext)
    audited: list[dict] = field(default_factory=list)

    def now(self):
        return NOW

    def audit(self, **entry):
        self.audited.append(entry)


OPERATOR = Person(uuid.uuid4(), "op@example.org", "Op", Role.OPERATIONS, None)
PASSWORD = "a long enough password"


async def made(uow, role=Role.CASEWORKER, agency="brighter-tomorrows", by=OPERATOR, email="ann@bt.example"):
    return await accounts.add_person(
        by, email=email, name="Ann", role=role, agency_id=agency, password=PASSWORD, uow=uow
    )


async def test_a_person_signs_in_and_gets_a_session_with_its_own_form_token():
    uow = FakeUnitOfWork()
    ann = await made(uow)
    signed_in = await accounts.sign_in(" ANN@bt.example ", PASSWORD, uow)
    assert signed_in.session.person == ann and uow.people.sessions[signed_in.token] == (
        ann.person_id,
        signed_in.session.csrf_token,
    )
    assert signed_in.token != signed_in.session.csrf_token


async def test_unknown_wrong_and_disabled_are_refused_alike():
    uow = FakeUnitOfWork()
    ann = await made(uow)
    refusals = []
    for email, password in (("nobody@bt.example", PASSWORD), ("ann@bt.example", "not it at all")):
        with pytest.raises(accounts.SignInRefused) as refused:
            await accounts.sign_in(email, password, uow)
        refusals.append(str(refused.value))
    await accounts.disable_person(OPERATOR, ann.person_id, uow)
    with pytest.raises(accounts.SignInRefused) as refused:
        await accounts.sign_in("ann@bt.example", PASSWORD, uow)
    assert refusals == [str(refused.value)] * 2


async def test_accounts_are_made_by_who_may_with_a_long_password_and_audited():
    uow = FakeUnitOfWork()
    admin = await made(uow, Role.AGENCY_ADMIN, email="bo@bt.example")
    await made(uow, by=admin, email="cy@bt.example")
    with pytest.raises(NotAllowed):
        await made(uow, by=admin, agency="money-advice", email="di@ma.example")
    with pytest.raises(ValueError):
        await accounts.add_person(
            OPERATOR, email="ed@x.org", name="Ed", role=Role.OPERATIONS, agency_id=None, password="short", uow=uow
        )
    with pytest.raises(accounts.InvalidAccount) as taken:
        await made(uow, email="cy@bt.example")
    assert taken.value.field == "email"
    for answer, bad in (("name", "J"), ("name", "Ann\x00"), ("email", "not an address")):
        with pytest.raises(accounts.InvalidAccount) as refused:
            await accounts.add_person(
                OPERATOR,
                email=bad if answer == "email" else "ok@bt.example",
                name=bad if answer == "name" else "Ann",
                role=Role.OPERATIONS,
                agency_id=None,
                password=PASSWORD,
                uow=uow,
            )
        assert refused.value.field == answer
    assert [entry["detail"] for entry in uow.audited] == [
        "account created for bo@bt.example (agency_admin)",
        "account created for cy@bt.example (caseworker)",
    ]
    assert uow.people.people["cy@bt.example"][1].startswith("$argon2id$")


async def test_nobody_disables_their_own_account_or_one_they_do_not_manage():
    uow = FakeUnitOfWork()
    admin = await made(uow, Role.AGENCY_ADMIN, email="bo@bt.example")
    other = await made(uow, agency="money-advice", email="di@ma.example")
    with pytest.raises(NotAllowed):
        await accounts.disable_person(admin, admin.person_id, uow)
    with pytest.raises(accounts.UnknownPerson):
        await accounts.disable_person(admin, other.person_id, uow)
