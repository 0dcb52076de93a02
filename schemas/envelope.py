"""CloudEvents 1.0 in Kafka *binary* content mode.

Anything read off Kafka may be hostile: a header that is not UTF-8, an id of thousands of
characters, a type nobody knows, a body nested 50,000 levels deep (measured before it is parsed, see
`bounded_json`). Each is refused here with a reason that names the rule, never
repeats the offending value, so it can be dead-lettered and its partition keeps flowing.

The event's attributes travel as `ce_*` headers and the body is the payload's JSON, so any
CloudEvents SDK, or a plain Kafka tool such as kcat, can read what we publish without knowing
our code. Ids and times are passed in by the caller (never made up here) so that producers stay
deterministic under test.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ValidationError

from schemas import bounded_json
from schemas.base import Command, Event

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
Message = Command | Event
Headers = list[tuple[str, bytes]]

_REQUIRED = ("ce_id", "ce_type", "ce_source", "ce_specversion")
MAX_ATTRIBUTE_LENGTH = 200
"""Longest `ce_id`, `ce_source`, `ce_type` accepted: ours are a few dozen characters, and an id is stored in
the inbox's unique index, which refuses very long keys (a 6,000-character id once stalled a partition)."""


class InvalidEnvelope(ValueError):
    """The record is not a CloudEvent we can read; the message is safe to show (no payload data)."""


@dataclass(frozen=True)
class CloudEventAttributes:
    id: str
    type: str
    source: str
    specversion: str = SPEC_VERSION
    time: datetime | None = None
    subject: str | None = None
    datacontenttype: str = CONTENT_TYPE


@dataclass(frozen=True)
class EncodedRecord:
    """What a producer hands to Kafka: key, headers and value, all bytes."""

    key: bytes
    headers: Headers
    value: bytes


def type_of(message: Message | type[Message]) -> str:
    """The CloudEvents `type` of an event or command (class or instance)."""
    return message.event_type if issubclass(_cls(message), Event) else message.command_type


def encode(
    message: Message,
    *,
    event_id: str,
    source: str,
    time: datetime,
    key: str,
    subject: str | None = None,
    extra_headers: Iterable[tuple[str, bytes]] = (),
) -> EncodedRecord:
    """Encode a message as a binary-mode CloudEvent keyed by `key` (the case id)."""
    headers: Headers = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", event_id.encode()),
        ("ce_type", type_of(message).encode()),
        ("ce_source", source.encode()),
        ("ce_time", time.isoformat().encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if subject is not None:
        headers.append(("ce_subject", subject.encode()))
    headers.extend(extra_headers)
    return EncodedRecord(key=key.encode(), headers=headers, value=message.model_dump_json().encode())


def read_attributes(headers: Iterable[tuple[str, bytes | None]]) -> CloudEventAttributes:
    """Read the `ce_*` headers; raise InvalidEnvelope if a required one is missing or unreadable."""
    found = _header_map(headers)
    missing = [name for name in _REQUIRED if not found.get(name)]
    if missing:
        raise InvalidEnvelope(f"missing CloudEvents header(s): {', '.join(missing)}")
    too_long = [name for name in _REQUIRED if len(found[name]) > MAX_ATTRIBUTE_LENGTH]
    if too_long:
        raise InvalidEnvelope(f"CloudEvents header(s) longer than {MAX_ATTRIBUTE_LENGTH}: {', '.join(too_long)}")
    controlled = [name for name in (*_REQUIRED, "ce_subject") if _has_control_characters(found.get(name, ""))]
    if controlled:
        raise InvalidEnvelope(f"CloudEvents header(s) holding control characters: {', '.join(controlled)}")
    if found["ce_specversion"] != SPEC_VERSION:
        raise InvalidEnvelope(f"unsupported CloudEvents specversion; expected {SPEC_VERSION}")
    content_type = found.get("content-type") or CONTENT_TYPE
    if content_type.split(";")[0].strip() != CONTENT_TYPE:
        raise InvalidEnvelope(f"unsupported content-type; expected {CONTENT_TYPE}")
    try:
        time = datetime.fromisoformat(found["ce_time"].replace("Z", "+00:00")) if found.get("ce_time") else None
    except ValueError:
        raise InvalidEnvelope("ce_time is not an RFC 3339 timestamp") from None
    return CloudEventAttributes(
        id=found["ce_id"],
        type=found["ce_type"],
        source=found["ce_source"],
        time=time,
        subject=found.get("ce_subject"),
        datacontenttype=content_type,
    )


def decode(
    headers: Iterable[tuple[str, bytes | None]],
    value: bytes | None,
    registry: Mapping[str, type[BaseModel]],
) -> tuple[CloudEventAttributes, BaseModel]:
    """Decode a binary-mode CloudEvent into its attributes and its payload model.

    Raises InvalidEnvelope for an unknown type or a bad envelope, and pydantic's ValidationError
    for a payload that does not fit its model.
    """
    attributes = read_attributes(headers)
    model = registry.get(attributes.type)
    if model is None:
        raise InvalidEnvelope("unknown event type: not one this topic carries")
    if not value:
        raise InvalidEnvelope("empty message body")
    try:
        bounded_json.check(value)
    except bounded_json.JsonTooLarge as error:
        raise InvalidEnvelope(str(error)) from None
    return attributes, model.model_validate_json(value)


def describe_validation_error(error: ValidationError) -> str:
    """A field-level summary of a validation failure that never repeats the offending input."""
    parts = []
    for item in error.errors(include_input=False, include_url=False, include_context=False):
        location = ".".join(str(part) for part in item["loc"]) or "(body)"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)


def _header_map(headers: Iterable[tuple[str, bytes | None]]) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, raw in headers:
        if not header_name_is_utf8(name):
            raise InvalidEnvelope("a header's name is not UTF-8") from None
        if raw is None:
            continue
        try:
            result[name.lower()] = raw.decode()
        except UnicodeDecodeError:
            raise InvalidEnvelope(f"header {name[:MAX_ATTRIBUTE_LENGTH]!r} is not UTF-8") from None
    return result


def _has_control_characters(value: str) -> bool:
    """Whether an attribute holds a control character (NUL, a newline, …): no id, type, source or subject of ours
    does, an id is stored as text (which holds no NUL) and names lines in logs and the audit trail."""
    return any(unicodedata.category(character) == "Cc" for character in value)


def header_name_is_utf8(name: str) -> bool:
    """Whether a header's name was UTF-8 on the wire (`platform_plumbing.kafka_records` keeps the bytes of one
    that was not as lone surrogates, which do not encode)."""
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


def _cls(message: Message | type[Message]) -> type[Message]:
    return message if isinstance(message, type) else type(message)
