"""Dead letters whose body is sealed: for a service that reads personal data in clear (intake, from the
police's own topics), so that a record it cannot process does not carry a person's details in clear onto
the dead-letter topic, where every operator looks and which erasure could not otherwise reach.

The body is encrypted under a key of the letter's own, kept wrapped in the keyring with the (force,
police reference) the body names, when it names one; the `sealed_body_key` header says which key. A
replay (`diversion dlq replay`, which keeps every header not starting `dlq_`) brings the sealed body back
to the service, which opens it before reading it as usual. Erasing a case deletes the keys of the dead
letters naming its police reference; retention deletes every key older than the dead-letter topic keeps
its records. A body whose key is gone cannot be read by anyone again.
"""

from __future__ import annotations

import dataclasses
from uuid import UUID, uuid4

import asyncpg
from aiokafka.structs import ConsumerRecord

from platform_plumbing import keyring
from platform_plumbing.clock import Clock
from platform_plumbing.outbox import OutgoingRecord
from platform_plumbing.personal_data import PersonalDataError, PersonKeys
from schemas import bounded_json

SEALED_BODY = "sealed_body_key"
_FIELD = "dead-letter body"


class UnreadableLetter(Exception):
    """A replayed dead letter whose body's key was erased or expired, or does not open: it is refused."""


class SealedLetters:
    def __init__(self, keys: PersonKeys, clock: Clock) -> None:
        self._keys = keys
        self._clock = clock

    async def seal(self, db: asyncpg.Connection, letter: OutgoingRecord) -> OutgoingRecord:
        """`letter` with its body sealed under a new key of its own (kept in the keyring)."""
        if not letter.value:
            return letter
        key_id = uuid4()
        data_key, wrapped = self._keys.new(key_id)
        await keyring.add_letter_key(db, key_id, wrapped, reference=_reference(letter.value), now=self._clock.now())
        headers = [*((n, v) for n, v in letter.headers if n != SEALED_BODY), (SEALED_BODY, str(key_id).encode())]
        return dataclasses.replace(letter, value=data_key.encrypt(_FIELD, letter.value), headers=headers)

    @staticmethod
    def is_sealed(record: ConsumerRecord) -> bool:
        """Whether `record` is a replayed sealed letter, which must be opened (with its key) to be read."""
        return any(name == SEALED_BODY for name, _ in record.headers)

    async def opened(self, db: asyncpg.Connection, record: ConsumerRecord) -> ConsumerRecord:
        """The record as it was before it was dead-lettered, if it is a replayed sealed letter; else itself."""
        named = [value for name, value in record.headers if name == SEALED_BODY]
        if not named:
            return record
        try:
            key_id = UUID(named[-1].decode())
        except (UnicodeDecodeError, ValueError) as error:
            raise UnreadableLetter("its sealed_body_key header is not a key id") from error
        wrapped = await keyring.letter_key(db, key_id)
        if wrapped is None:
            raise UnreadableLetter("the key of its sealed body was erased or has expired")
        try:
            body = self._keys.unwrap(key_id, wrapped).decrypt(_FIELD, record.value or b"")
        except PersonalDataError as error:
            raise UnreadableLetter("its sealed body does not open with its key") from error
        headers = [(name, value) for name, value in record.headers if name != SEALED_BODY]
        return dataclasses.replace(record, value=body, headers=headers, serialized_value_size=len(body))


def _reference(body: bytes) -> tuple[str, str] | None:
    """The (force, police reference) a police command's body names, if it can be read as one."""
    try:
        payload = bounded_json.loads(body)
    except ValueError:  # not JSON, or too large or deep to parse (UnicodeDecodeError is one too)
        return None
    if not isinstance(payload, dict):
        return None
    force_id, reference = payload.get("force_id"), payload.get("police_reference")
    if isinstance(force_id, str) and isinstance(reference, str) and len(force_id) <= 64 and len(reference) <= 64:
        return force_id, reference
    return None
