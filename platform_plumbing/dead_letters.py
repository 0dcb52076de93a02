"""Dead letters: a message no handler can process goes to one topic, so its partition keeps flowing.

The dead letter keeps the original key, headers and body (so it can be inspected and replayed)
and adds where it came from and why it failed. The reason is written by our own code from
field names and error classes, never from the message's content, so no personal data leaks into
headers that every operator's tool displays.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from aiokafka.structs import ConsumerRecord

from platform_plumbing.database import fits_text
from platform_plumbing.outbox import OutgoingRecord
from schemas.envelope import header_name_is_utf8

ORIGIN_TOPIC = "dlq_origin_topic"
ORIGIN_PARTITION = "dlq_origin_partition"
ORIGIN_OFFSET = "dlq_origin_offset"
ERROR_CLASS = "dlq_error_class"
REASON = "dlq_reason"
SERVICE = "dlq_service"
DROPPED = "dlq_dropped"
MAX_REASON_BYTES = 1024
MAX_KEPT_BYTES = 256 * 1024
"""Most of the original record a dead letter keeps: a larger body, or a header value over
`MAX_KEPT_HEADER_BYTES`, is dropped (and named in `dlq_dropped`), so the dead letter always fits the
producer's request size and can never stall the outbox that sends it."""
MAX_KEPT_HEADER_BYTES = 1024


def bare(letter: OutgoingRecord, why: str) -> OutgoingRecord:
    """`letter` with only the dead-letter headers and no body: a letter that can always be written, for a record
    whose full letter could not be (`why` is added to what `dlq_dropped` names)."""
    return without_body(replace(letter, headers=[(n, v) for n, v in letter.headers if n.startswith("dlq_")]), why)


def without_body(letter: OutgoingRecord, why: str) -> OutgoingRecord:
    """`letter` with its body dropped, and `why` added to what `dlq_dropped` names."""
    kept = [(name, value) for name, value in letter.headers if name != DROPPED]
    noted = [value.decode() for name, value in letter.headers if name == DROPPED]
    return replace(letter, value=None, headers=[*kept, (DROPPED, "; ".join([*noted, why]).encode())])


@dataclass(frozen=True)
class Rejection:
    """Why a record was dead-lettered: an error class and a reason free of personal data."""

    error_class: str
    reason: str


def dead_letter(record: ConsumerRecord, rejection: Rejection, *, topic: str, service: str) -> OutgoingRecord:
    """The outbox record that sends `record` to the dead-letter `topic`."""
    dlq_headers = [
        (ORIGIN_TOPIC, record.topic.encode()),
        (ORIGIN_PARTITION, str(record.partition).encode()),
        (ORIGIN_OFFSET, str(record.offset).encode()),
        (ERROR_CLASS, rejection.error_class.encode()),
        (REASON, rejection.reason.encode()[:MAX_REASON_BYTES]),
        (SERVICE, service.encode()),
    ]
    dropped = []
    original = []
    for name, value in record.headers:
        if name.startswith("dlq_"):
            continue
        if not header_name_is_utf8(name):  # it could not be written back
            dropped.append("a header whose name is not UTF-8")
            continue
        if not fits_text(name):  # the outbox keeps header names as text
            dropped.append("a header whose name holds a NUL")
            continue
        if len(value or b"") > MAX_KEPT_HEADER_BYTES:
            dropped.append(f"header {name[:64]}")
            continue
        original.append((name, value or b""))
    value = record.value
    if value is not None and len(value) > MAX_KEPT_BYTES:
        dropped.append(f"body of {len(value)} bytes")
        value = None
    key = record.key or b""
    if len(key) > MAX_KEPT_HEADER_BYTES:
        dropped.append(f"key of {len(key)} bytes")
        key = b""
    if dropped:
        dlq_headers.append((DROPPED, "; ".join(dropped).encode()))
    return OutgoingRecord(topic=topic, key=key, headers=[*original, *dlq_headers], value=value)
