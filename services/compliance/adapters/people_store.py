"""People's accounts and their browser sessions, in compliance's schema (see migration 0012)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.compliance.domain.people import Person, Role

PEOPLE = ("person_id", "email", "name", "role", "agency_id", "disabled_at")


@dataclass(frozen=True)
class Session:
    person: Person
    csrf_token: str
    expires_at: datetime


def token_hash(token: str) -> bytes:
    """What is kept of a session token: a SHA-256 of 256 random bits needs no salt nor slow hash."""
    return hashlib.sha256(token.encode()).digest()


def _person(row: asyncpg.Record) -> Person:
    return Person(**{**{name: row[name] for name in PEOPLE}, "role": Role(row["role"])})


class PeopleStore:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def add(self, person: Person, password_hash: str, *, by: str, now: datetime) -> bool:
        """Keep a new account; False when its email is taken."""
        added = await self._db.fetchval(
            "INSERT INTO people (person_id, email, name, role, agency_id, password_hash, created_at, created_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (email) DO NOTHING RETURNING true",
            person.person_id,
            person.email,
            person.name,
            person.role.value,
            person.agency_id,
            password_hash,
            now,
            by,
        )
        return bool(added)

    async def with_password(self, email: str) -> tuple[Person, str] | None:
        row = await self._db.fetchrow(
            f"SELECT {', '.join(PEOPLE)}, password_hash FROM people WHERE email = $1", email.strip().lower()
        )
        return None if row is None else (_person(row), row["password_hash"])

    async def person(self, person_id: UUID) -> Person | None:
        row = await self._db.fetchrow(f"SELECT {', '.join(PEOPLE)} FROM people WHERE person_id = $1", person_id)
        return None if row is None else _person(row)

    async def people(self, agency_id: str | None) -> list[Person]:
        """Everyone at `agency_id`, or everyone when None, by name."""
        rows = await self._db.fetch(
            f"SELECT {', '.join(PEOPLE)} FROM people WHERE $1::text IS NULL OR agency_id = $1 ORDER BY name, email",
            agency_id,
        )
        return [_person(row) for row in rows]

    async def rehash(self, person_id: UUID, password_hash: str) -> None:
        await self._db.execute("UPDATE people SET password_hash = $2 WHERE person_id = $1", person_id, password_hash)

    async def disable(self, person_id: UUID, *, by: str, now: datetime) -> None:
        """Disable the account and end its sessions; its history stays."""
        await self._db.execute(
            "UPDATE people SET disabled_at = $2, disabled_by = $3 WHERE person_id = $1 AND disabled_at IS NULL",
            person_id,
            now,
            by,
        )
        await self._db.execute("DELETE FROM web_sessions WHERE person_id = $1", person_id)

    # -- sessions -------------------------------------------------------------------------------------------------

    async def open_session(self, token: str, person_id: UUID, csrf_token: str, *, now: datetime, until: datetime):
        await self._db.execute(
            "INSERT INTO web_sessions (token_hash, person_id, csrf_token, created_at, expires_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            token_hash(token),
            person_id,
            csrf_token,
            now,
            until,
        )

    async def session(self, token: str, *, now: datetime) -> Session | None:
        """The live session of `token` with its person, if the session has not expired and the account is enabled."""
        row = await self._db.fetchrow(
            f"SELECT {', '.join(f'p.{name}' for name in PEOPLE)}, s.csrf_token, s.expires_at"
            " FROM web_sessions s JOIN people p USING (person_id)"
            " WHERE s.token_hash = $1 AND s.expires_at > $2 AND p.disabled_at IS NULL",
            token_hash(token),
            now,
        )
        return None if row is None else Session(_person(row), row["csrf_token"], row["expires_at"])

    async def close_session(self, token: str) -> None:
        await self._db.execute("DELETE FROM web_sessions WHERE token_hash = $1", token_hash(token))

    async def purge_sessions(self, *, now: datetime) -> None:
        await self._db.execute("DELETE FROM web_sessions WHERE expires_at <= $1", now)

    # -- sign-in handed to the operations dashboard ---------------------------------------------------------------

    async def hand_off(self, code: str, person_id: UUID, *, now: datetime, until: datetime) -> None:
        await self._db.execute("DELETE FROM sign_in_handoffs WHERE expires_at <= $1", now)
        await self._db.execute(
            "INSERT INTO sign_in_handoffs (code_hash, person_id, expires_at) VALUES ($1, $2, $3)",
            token_hash(code),
            person_id,
            until,
        )

    async def redeem(self, code: str, *, now: datetime) -> Person | None:
        """The enabled person a live, unredeemed `code` was handed to, the code redeemed now; else None."""
        row = await self._db.fetchrow(
            f"UPDATE sign_in_handoffs h SET redeemed_at = $2 FROM people p"
            f" WHERE h.code_hash = $1 AND h.redeemed_at IS NULL AND h.expires_at > $2"
            f" AND p.person_id = h.person_id AND p.disabled_at IS NULL"
            f" RETURNING {', '.join(f'p.{name}' for name in PEOPLE)}",
            token_hash(code),
            now,
        )
        return None if row is None else _person(row)
