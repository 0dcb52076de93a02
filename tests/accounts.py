"""Accounts for the web pages as `make up` makes the first ones (no one signed in to make them), for tests."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from services.compliance.adapters.people_store import PeopleStore
from services.compliance.domain.people import Person, Role
from services.compliance.service_layer.accounts import HASHER

PASSWORD = "correct horse battery staple"


async def add_account(
    connection: asyncpg.Connection, email: str, role: str, agency: str | None, *, now: datetime
) -> str:
    """An account named after its email (`jo.duty@…` is Jo Duty); its password."""
    person = Person(uuid.uuid4(), email, email.split("@")[0].replace(".", " ").title(), Role(role), agency)
    await PeopleStore(connection).add(person, HASHER.hash(PASSWORD), by="tests", now=now)
    return PASSWORD
