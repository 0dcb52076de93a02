"""API keys for the HTTP doors (police clients, partner agencies): issued once, stored hashed, rotatable.

A key reads `dvk_<key id>_<secret>`. Only a SHA-256 of the secret is stored: the secret is 256
random bits, so a slow password hash would add nothing but latency. The key id finds the row
without scanning; several live keys per principal allow rotation without downtime (issue the
new key, switch the client, revoke the old one). The service's schema has an `api_keys` table
whose `principal_id` references its own clients table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

_KEY = re.compile(r"^dvk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    api_key: str
    """Shown to the caller once; never stored."""


async def issue_key(connection: asyncpg.Connection, principal_id: str, *, now: datetime) -> IssuedKey:
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    await connection.execute(
        "INSERT INTO api_keys (key_id, principal_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)",
        key_id,
        principal_id,
        _hash(secret),
        now,
    )
    return IssuedKey(key_id=key_id, api_key=f"dvk_{key_id}_{secret}")


async def revoke_key(connection: asyncpg.Connection, key_id: str, *, now: datetime) -> bool:
    status = await connection.execute(
        "UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL", key_id, now
    )
    return status.endswith(" 1")


async def principal_for(connection: asyncpg.Connection | asyncpg.Pool, api_key: str) -> str | None:
    """The principal a live key belongs to, or None for a malformed, unknown or revoked key."""
    match = _KEY.match(api_key)
    if match is None:
        return None
    key_id, secret = match.groups()
    row = await connection.fetchrow(
        "SELECT principal_id, secret_hash FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL", key_id
    )
    if row is None or not hmac.compare_digest(bytes(row["secret_hash"]), _hash(secret)):
        return None
    return row["principal_id"]


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
