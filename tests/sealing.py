"""Personal details sealed as intake seals them, for tests that put case or referral events on the wire.

`sealed(case_id, details)` seals under a scratch KEK of this process (enough for a message's shape);
tests whose services must open the fields seal with `service_keys()` — the KEK the services under test
read — and keep the wrapped key in the keyring with `keep_key`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any
from uuid import UUID

import asyncpg
import tink
from tink import aead

from platform_plumbing import keyring
from platform_plumbing.clock import SystemClock
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.personal_data import LOCAL_SCHEME, PersonKeys
from platform_plumbing.settings import KEK_FILE
from schemas.personal import PersonalDetails


@cache
def scratch_keys() -> PersonKeys:
    kek = tink.new_keyset_handle(aead.aead_key_templates.AES256_GCM).primitive(aead.Aead)
    return PersonKeys(lambda: kek)


@cache
def service_keys() -> PersonKeys:
    return PersonKeys.at(f"{LOCAL_SCHEME}{KEK_FILE}")


def sealed(case_id: UUID, details: dict[str, Any], keys: PersonKeys | None = None) -> tuple[dict[str, str], bytes]:
    """`details` sealed for `case_id` (JSON-ready), and the case's data key wrapped."""
    data_key, wrapped = (keys or scratch_keys()).new(case_id)
    return data_key.seal(PersonalDetails.model_validate(details)).model_dump(exclude_none=True), wrapped


async def written(connection: asyncpg.Connection, queue: Callable[[PendingWrites], None]) -> None:
    """Write now what `queue` queues (as a unit of work's flush would)."""
    writes = PendingWrites()
    queue(writes)
    await writes.flush(connection)


async def keep_key(admin_url: str, case_id: UUID, wrapped: bytes) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await written(connection, lambda writes: keyring.add(writes, case_id, wrapped, now=SystemClock().now()))
    finally:
        await connection.close()
