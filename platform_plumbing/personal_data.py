"""Personal data sealed per case with envelope encryption (Google Tink's AEAD), so that it can be erased.

When intake opens a case it makes the case a data key of its own (AES-256-GCM), seals every personal
field with it, and stores only the key wrapped by the key-encryption key (KEK) in the keyring
(`platform_plumbing.keyring`). From then on the fields travel sealed — on `cases` and `referrals`, in
every outbox, in every table, in any dead letter — and the router forwards the sealed fields an
agency may see without being able to read them. Compliance, the one gateway agencies read from,
unwraps the key and opens the fields at the moment an entitled agency reads the referral.

Destroying the wrapped key erases the person: every copy anywhere, Kafka's retention and backups
included, is from then on ciphertext nobody can open (crypto-shredding). Each field is sealed with
the case id and the field's name as associated data, so a sealed value moved to another case or
field does not open.

The KEK is any Tink `Aead`: a Tink keyset file for development (`local-keyset://<path>`, written by
`make up`), or a cloud KMS key (`gcp-kms://…`, `aws-kms://…`) once that KMS's Tink client is
registered with `tink.register_kms_client` — the services never see the KMS key itself.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from uuid import UUID

import tink
from tink import aead, secret_key_access

from schemas.personal import PersonalDetails, SealedPersonalDetails

aead.register()

LOCAL_SCHEME = "local-keyset://"
_DATA_KEY_TEMPLATE = aead.aead_key_templates.AES256_GCM


class PersonalDataError(RuntimeError):
    """The KEK could not be loaded, or a sealed value would not open (wrong case, field, key or tampering)."""


def kek_from_uri(uri: str) -> aead.Aead:
    """The key-encryption key `uri` names: a local Tink keyset file, or a key in a KMS with a Tink client."""
    if uri.startswith(LOCAL_SCHEME):
        path = Path(uri.removeprefix(LOCAL_SCHEME))
        try:
            keyset = tink.json_proto_keyset_format.parse(path.read_text(), secret_key_access.TOKEN)
        except (OSError, tink.TinkError) as error:
            raise PersonalDataError(
                f"the personal-data KEK {path} cannot be read ({type(error).__name__}): "
                "run `make up`, or set PERSONAL_DATA_KEK_URI"
            ) from error
        return keyset.primitive(aead.Aead)
    try:
        return tink.kms_client_from_uri(uri).get_aead(uri)
    except tink.TinkError as error:
        raise PersonalDataError(f"no KMS client is registered for the personal-data KEK {uri.split(':')[0]}") from error


def new_kek_keyset() -> str:
    """A fresh local KEK as a Tink JSON keyset: the development stand-in for a KMS key (keep it 0600)."""
    keyset = tink.new_keyset_handle(_DATA_KEY_TEMPLATE)
    return tink.json_proto_keyset_format.serialize(keyset, secret_key_access.TOKEN)


class DataKey:
    """One case's data key (or one dead letter's), open in memory: seals and opens its personal fields."""

    def __init__(self, case_id: UUID, primitive: aead.Aead) -> None:
        self._case_id = case_id
        self._aead = primitive

    def _associated(self, field: str) -> bytes:
        return f"{self._case_id}/{field}".encode()

    def encrypt(self, field: str, plain: bytes) -> bytes:
        return self._aead.encrypt(plain, self._associated(field))

    def decrypt(self, field: str, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed, self._associated(field))
        except tink.TinkError as error:
            raise PersonalDataError(f"a sealed {field} of {self._case_id} does not open") from error

    def seal(self, personal: PersonalDetails) -> SealedPersonalDetails:
        plain = personal.model_dump(mode="json", exclude_none=True)
        return SealedPersonalDetails(**{field: self._seal(field, str(value)) for field, value in plain.items()})

    def _seal(self, field: str, value: str) -> str:
        return base64.urlsafe_b64encode(self.encrypt(field, value.encode())).decode()

    def seal_text(self, field: str, text: str) -> str:
        """Free text about the person (a case note, a concern's details) sealed as `field` of the case."""
        return self._seal(field, text)

    def open_text(self, field: str, sealed: str) -> str:
        return self.open({field: sealed})[field]

    def open(self, sealed: Mapping[str, str]) -> dict[str, str]:
        """The plain values of the sealed fields given (field name -> sealed value)."""
        try:
            return {
                field: self.decrypt(field, base64.urlsafe_b64decode(value)).decode() for field, value in sealed.items()
            }
        except ValueError as error:
            raise PersonalDataError(f"a sealed personal field of {self._case_id} is not base64") from error


class PersonKeys:
    """Makes and opens cases' data keys under the KEK; what it hands out wrapped is what the keyring keeps.

    The KEK is fetched at the first use, or by `load()`, which a service calls as it starts, so a missing
    KEK stops it then; building an app for its documents needs none."""

    def __init__(self, kek: Callable[[], aead.Aead]) -> None:
        self._fetch = kek

    @classmethod
    def at(cls, uri: str) -> PersonKeys:
        return cls(lambda: kek_from_uri(uri))

    @cached_property
    def _kek(self) -> aead.Aead:
        return self._fetch()

    def load(self) -> None:
        """Fetch the KEK now (raises `PersonalDataError` when it cannot be had)."""
        self._kek  # noqa: B018 — the cached property's fetch is the point

    def new(self, case_id: UUID) -> tuple[DataKey, bytes]:
        """A new data key for `case_id`, and the same key wrapped by the KEK (bound to the case id)."""
        keyset = tink.new_keyset_handle(_DATA_KEY_TEMPLATE)
        wrapped = tink.proto_keyset_format.serialize_encrypted(keyset, self._kek, case_id.bytes)
        return DataKey(case_id, keyset.primitive(aead.Aead)), wrapped

    def unwrap(self, case_id: UUID, wrapped: bytes) -> DataKey:
        try:
            keyset = tink.proto_keyset_format.parse_encrypted(wrapped, self._kek, case_id.bytes)
        except tink.TinkError as error:
            raise PersonalDataError(f"the data key of case {case_id} does not unwrap under this KEK") from error
        return DataKey(case_id, keyset.primitive(aead.Aead))
