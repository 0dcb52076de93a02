"""API keys for the HTTP doors (police clients, partner agencies): issued once, stored hashed, rotatable.

A key reads `dvk_<key id>_<secret>`. Only a SHA-256 of the secret is stored: the secret is 256
random bits, so a slow password hash would add nothing but latency. The key id finds the row
without scanning; several live keys per principal allow rotation without downtime (issue the
new key, switch the client, revoke the old one). A key may expire; each records when it was last
used (to the minute: a write per request would cost more than it tells), so that an unused key can be
found and revoked. The service's schema has an `api_keys` table whose `principal_id` references its own
clients table.

Expiry is wall-clock time, whatever clock the service runs on: a key is a real-world credential.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose

_KEY = re.compile(r"^dvk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    api_key: str
    """Shown to the caller once; never stored."""


@dataclass(frozen=True)
class KeyRecord:
    """A key as `keys` lists it: never its secret."""

    key_id: str
    principal_id: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def looks_like_key(text: str) -> bool:
    """Whether `text` has a key's shape at all (worth asking the database about)."""
    return _KEY.match(text) is not None


def operator() -> str:
    """Who runs a key command, for the audit trail: the login of the person at the terminal."""
    return f"operator:{getpass.getuser()}"


async def issue_key(
    connection: asyncpg.Connection,
    principal_id: str,
    *,
    now: datetime,
    expires_at: datetime | None = None,
    action: Action = Action.KEY_ISSUE,
    actor: str | None = None,
) -> IssuedKey:
    """A new key for `principal_id` (its first: KEY_ISSUE; another: KEY_ROTATE), in the audit trail."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    await connection.execute(
        "INSERT INTO api_keys (key_id, principal_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        key_id,
        principal_id,
        _hash(secret),
        now,
        expires_at,
    )
    await _audit(connection, action, principal_id, f"key {key_id}", now=now, actor=actor)
    return IssuedKey(key_id=key_id, api_key=f"dvk_{key_id}_{secret}")


async def revoke_key(connection: asyncpg.Connection, key_id: str, *, now: datetime, actor: str | None = None) -> bool:
    principal = await connection.fetchval(
        "UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL RETURNING principal_id",
        key_id,
        now,
    )
    if principal is not None:
        await _audit(connection, Action.KEY_REVOKE, principal, f"key {key_id}", now=now, actor=actor)
    return principal is not None


async def _audit(
    connection: asyncpg.Connection, action: Action, principal_id: str, detail: str, *, now: datetime, actor: str | None
) -> None:
    entry = AuditEntry(
        actor=actor or operator(),
        action=action,
        purpose=Purpose.KEY_MANAGEMENT,
        at=now,
        recipient=principal_id,
        detail=detail,
    )
    await audit_trail.record(connection, entry)


async def principal_for(
    connection: asyncpg.Connection | asyncpg.Pool, api_key: str, *, now: datetime | None = None
) -> str | None:
    """The principal a live key belongs to, or None for a malformed, unknown, expired or revoked key; notes
    that the key was used."""
    match = _KEY.match(api_key)
    if match is None:
        return None
    key_id, secret = match.groups()
    now = now or datetime.now(UTC)
    row = await connection.fetchrow(
        "SELECT principal_id, secret_hash, last_used_at FROM api_keys"
        " WHERE key_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        key_id,
        now,
    )
    if row is None or not hmac.compare_digest(bytes(row["secret_hash"]), _hash(secret)):
        return None
    if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
        await connection.execute("UPDATE api_keys SET last_used_at = $2 WHERE key_id = $1", key_id, now)
    return row["principal_id"]


async def list_keys(connection: asyncpg.Connection) -> list[KeyRecord]:
    rows = await connection.fetch(
        "SELECT key_id, principal_id, created_at, expires_at, last_used_at, revoked_at FROM api_keys"
        " ORDER BY principal_id, created_at"
    )
    return [KeyRecord(**dict(row)) for row in rows]


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
