"""Every Kafka door, under fire: generated hostile records, then a valid one, on the real broker and database.

A door is a topic a service consumes. `hostile_records` generates what a stranger with the door's login could
put there — random bytes, random and missing headers, header names that are not UTF-8, bodies nested tens of
thousands deep, huge strings and numbers, valid envelopes around invalid data, valid data of another type —
from a valid record of the door (hypothesis, seeded and printed so that a failure can be replayed).
`burst_through` sends them, then the valid record, all to one partition, and checks the property issue 22 asks
for: the partition moves past every one of them within a bound, each is either applied (its CloudEvents id is
in the service's inbox) or dead-lettered, and the valid record behind them is applied.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord, TopicPartition
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from benchmarks.outside import RawHeaderName
from platform_plumbing.kafka_clients import KafkaAccess
from schemas.commands import ReplayDeadLetter
from schemas.envelope import encode
from schemas.topics import DEAD_LETTERS
from tests.factories import payload
from tests.kafka_tools import eventually, outbox_drained, produce_raw, read_to_end

Record = tuple[bytes | None, list[tuple[str, bytes | None]], bytes | None]
_SENTINEL = "\u2603 replaced \u2603"
CE_HEADERS = ("ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time", "ce_subject", "content-type")


def record_of(message, *, event_id: str | None = None, source: str = "/tests/hostile") -> Record:
    """`message` as its producer would send it."""
    key = str(getattr(message, "case_id", "k"))
    encoded = encode(message, event_id=event_id or str(uuid.uuid4()), source=source, time=_NOW, key=key)
    return encoded.key, encoded.headers, encoded.value


_NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
).map(lambda value: json.dumps(value).encode())
"""Any JSON value, as the text that goes in a body."""
_HEADER_NAMES = st.one_of(
    st.sampled_from(CE_HEADERS),
    st.text(max_size=30),
    st.binary(min_size=1, max_size=12).map(RawHeaderName),
)
_HEADERS = st.lists(st.tuples(_HEADER_NAMES, st.none() | st.binary(max_size=300)), max_size=8)
_HUGE = st.one_of(
    st.integers(1_000, 200_000).map(lambda n: b'"' + b"z" * n + b'"'),
    st.integers(20, 60_000).map(lambda digits: b"1" + b"0" * digits),
    st.sampled_from([b"-1", b"0", b"9223372036854775808", b"1e999", b"-1e308", b"1e-400", b"-0", b'""', b"[]"]),
)
"""Huge strings and numbers, and numbers at and past the edges, as JSON text."""


def hostile_records(valid: Record, other_types: list[Record]) -> st.SearchStrategy[Record]:
    """What a stranger could send instead of `valid`; `other_types`: valid records of types this door does not
    carry, or carries but not with this body."""
    key, headers, body = valid
    document = json.loads(body)

    def with_id(new_headers: list) -> list:
        return [(n, v) for n, v in new_headers if n != "ce_id"] + [("ce_id", uuid.uuid4().hex.encode())]

    def replaced(name: str, value: bytes | None) -> list:
        return with_id([(n, value if n == name else v) for n, v in headers])

    def missing(names: list[str]) -> Record:
        return key, [(n, v) for n, v in headers if n not in names], body

    def nested(depth: int, opener: str) -> Record:
        closer = "]" if opener == "[" else "}"
        return key, with_id(headers), (opener * depth).encode() + body + (closer * depth).encode()

    def field_set(field: str, value: bytes) -> Record:
        text = json.dumps({**document, field: _SENTINEL}).encode().replace(json.dumps(_SENTINEL).encode(), value)
        return key, with_id(headers), text

    def another(record: Record, keep_type: bool) -> Record:
        other_key, other_headers, other_body = record
        kept = [(n, v) for n, v in headers if n == "ce_type"] if keep_type else []
        return (
            other_key,
            with_id([*(h for h in other_headers if not (keep_type and h[0] == "ce_type")), *kept]),
            other_body,
        )

    fields = sorted(document)
    return st.one_of(
        st.tuples(st.none() | st.binary(max_size=100), _HEADERS, st.none() | st.binary(max_size=2_000)),
        st.lists(st.sampled_from(CE_HEADERS), min_size=1, unique=True).map(missing),
        st.builds(
            lambda name, value: (key, replaced(name, value), body),
            st.sampled_from(CE_HEADERS),
            st.none() | st.binary(max_size=400) | st.text(min_size=201, max_size=7_000).map(str.encode),
        ),
        st.builds(nested, st.integers(33, 60_000), st.sampled_from(["[", '{"a":'])),
        st.builds(field_set, st.sampled_from(fields), _HUGE),
        st.builds(field_set, st.sampled_from(fields), _JSON),
        st.builds(
            lambda name, value: (key, with_id([*headers, (name, value)]), body),
            st.binary(min_size=1, max_size=8).map(RawHeaderName),
            st.binary(max_size=20),
        ),
        *([st.builds(another, st.sampled_from(other_types), st.booleans())] if other_types else []),
    )


def generated(strategy: st.SearchStrategy[Record], count: int, run_seed: int) -> list[Record]:
    """`count` examples of `strategy`, from `run_seed`. Each example is sent, not checked alone: one send and one
    check per door keeps the real broker's cost per record small."""
    found: list[Record] = []

    @seed(run_seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: Record) -> None:
        found.append(example)

    collect()
    return found


FIXED_EXAMPLES = {
    "nested 50,000 deep (issue 22)": lambda valid: (valid[0], valid[1], b"[" * 50_000 + b"]" * 50_000),
    "header name not UTF-8": lambda valid: (valid[0], [*valid[1], (RawHeaderName(b"\xff\xfe"), b"v")], valid[2]),
    "ce_type not UTF-8": lambda valid: (
        valid[0],
        [(n, b"\xff\xfe\xfa" if n == "ce_type" else v) for n, v in valid[1]],
        valid[2],
    ),
    "ce_id of 6,000 characters": lambda valid: (
        valid[0],
        [(n, b"x" * 6000 if n == "ce_id" else v) for n, v in valid[1]],
        valid[2],
    ),
    "invalid JSON": lambda valid: (valid[0], valid[1], valid[2][: len(valid[2]) // 2]),
    "no headers": lambda valid: (valid[0], [], valid[2]),
}


@dataclass
class Door:
    """One topic a service consumes, as a test reaches it."""

    kafka: KafkaAccess
    topic: str
    """The concrete topic (with the test's prefix)."""
    group: str
    """The consumer group of the service, with the test's prefix."""
    pool: asyncpg.Pool
    """The service's own schema, where its inbox is."""
    dead_letters: str
    """The dead-letter topic, with the test's prefix."""


def door_of(service, topic: str, group: str) -> Door:
    """`topic` (a catalogue name) of a service a test runs in-process (its `intake`, `router` or `compliance`),
    consumed by `group` (the service's consumer group)."""
    settings = service.settings
    return Door(
        service.kafka, settings.topic(topic), settings.topic(group), service.pool, settings.topic(DEAD_LETTERS.name)
    )


@dataclass
class Verdict:
    sent: int
    dead_lettered: int
    applied: int
    seconds_to_valid: float
    """From sending the valid record to finding it applied."""


async def burst_through(
    door: Door,
    hostile: list[Record],
    valid: Record,
    *,
    bound_seconds: float = 90,
    applied: Callable[[], Awaitable[bool]] | None = None,
    ignorable: Callable[[Record], bool] = lambda record: False,
) -> Verdict:
    """Send `hostile`, then `valid`, to partition 0 of the door; check the property (see the module). `applied`
    says whether the valid record took effect (by default: its id is in the inbox); `ignorable` names records the
    service rightly leaves alone (a replay request for another service)."""
    offsets = await produce_raw(door.kafka, door.topic, hostile)
    sent_valid = time.monotonic()
    (valid_offset,) = await produce_raw(door.kafka, door.topic, [valid])
    valid_id = _event_id(valid)

    async def in_inbox() -> bool:
        """Its id claimed (applied), or its position (a replay request honoured, its letter failing again)."""
        position = f"kafka:{door.topic}/0/{valid_offset}"
        query = "SELECT count(*) FROM inbox WHERE event_id = $1 OR event_id = $2"
        return await door.pool.fetchval(query, valid_id, position) == 1

    await eventually(lambda: _committed_past(door, valid_offset), timeout=bound_seconds)
    await eventually(applied or in_inbox, timeout=10)
    seconds = time.monotonic() - sent_valid

    await eventually(lambda: outbox_drained(door.pool), timeout=30)  # the last batch's letters leave through the outbox
    letters = await read_to_end(door.kafka, door.dead_letters)
    dead = {
        int(dict(r.headers)["dlq_origin_offset"])
        for r in letters
        if dict(r.headers).get("dlq_origin_topic") == door.topic.encode()
        and dict(r.headers).get("dlq_origin_partition") == b"0"
    }
    claimed = {row["event_id"] for row in await door.pool.fetch("SELECT event_id FROM inbox")}
    letter_at = {(letter.partition, letter.offset): letter for letter in letters}
    unaccounted = [
        (offset, _describe(record))
        for offset, record in zip(offsets, hostile, strict=True)
        if offset not in dead
        and _event_id(record) not in claimed
        and f"kafka:{door.topic}/0/{offset}" not in claimed  # a replayed record that failed again is claimed there
        and _replayed_event_id(record, letter_at) not in claimed
        and not ignorable(record)
    ]
    assert not unaccounted, f"neither applied nor dead-lettered: {unaccounted}"
    assert valid_offset not in dead, "the valid record behind the burst was dead-lettered"
    return Verdict(len(hostile), len(dead & set(offsets)), len(hostile) - len(dead & set(offsets)), seconds)


def run_seed() -> int:
    """A new seed each run, or `HOSTILE_SEED` to replay one a run printed."""
    return int(os.environ.get("HOSTILE_SEED") or random.SystemRandom().randrange(2**32))


GENERATED = int(os.environ.get("HOSTILE_GENERATED", "40"))
"""Generated hostile records per door, beside the fixed examples (`HOSTILE_GENERATED` for a longer hunt)."""


async def fire_at(
    door: Door, template: Record, others: list[Record], valid: Record, *, also: tuple[Record, ...] = (), **checks
) -> Verdict:
    """The fixed examples, `also` (this door's own) and `GENERATED` records made from `template` (and `others`),
    then `valid`, through `door` (see `burst_through`); prints the seed and what became of them."""
    hostile = [make(template) for make in FIXED_EXAMPLES.values()] + list(also)
    hostile += generated(hostile_records(template, others), GENERATED, run := run_seed())
    verdict = await burst_through(door, hostile, valid, **checks)
    print(f"{door.topic}, seed {run}: {verdict}")
    assert verdict.dead_lettered >= len(FIXED_EXAMPLES), "every fixed example is refused"
    return verdict


async def _committed_past(door: Door, offset: int) -> bool:
    admin = AIOKafkaAdminClient(**door.kafka.client_options())
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(door.group)
    finally:
        await admin.close()
    position = committed.get(TopicPartition(door.topic, 0))
    return position is not None and position.offset > offset


def _event_id(record: Record) -> str | None:
    """What the inbox claims for `record` (source/id), if its headers name both readably."""
    found = {}
    for name, value in record[1]:
        try:
            found[name.encode().decode()] = (value or b"").decode()
        except (UnicodeError, AttributeError):
            continue
    return f"{found['ce_source']}/{found['ce_id']}" if found.get("ce_source") and found.get("ce_id") else None


def _replayed_event_id(record: Record, letter_at: dict[tuple[int, int], ConsumerRecord]) -> str | None:
    """If `record` is a well-formed replay request naming a dead letter that exists, what the inbox claims for the
    letter's record when the replay applies it: a generated request may name a real letter (an offset of 0, say),
    and is then honoured like an operator's."""
    try:
        asked = ReplayDeadLetter.model_validate_json(record[2] or b"")
    except ValueError:
        return None
    letter = letter_at.get((asked.partition, asked.offset))
    if letter is None:
        return None
    return _event_id((letter.key, letter.headers, letter.value))  # the letter keeps its record's ce_* headers


def _describe(record: Record) -> str:
    key, headers, value = record
    names = [name.encode(errors="replace")[:20] if isinstance(name, str) else name for name, _ in headers]
    return f"headers {names}, body of {len(value or b'')} bytes starting {(value or b'')[:40]!r}"


def other_type_records(*models) -> list[Record]:
    """Valid records of `models` (types from `tests.factories`), each with its own type."""
    return [record_of(model.model_validate(payload(model))) for model in models]


def asked_of_another(service: str) -> Callable[[Record], bool]:
    """Whether a record is a well-formed replay request for another service than `service` (which leaves it)."""

    def another(record: Record) -> bool:
        try:
            return ReplayDeadLetter.model_validate_json(record[2] or b"").service != service
        except ValueError:
            return False

    return another


def replay_request(service: str, partition: int, offset: int, **fields) -> Record:
    """A replay request as `diversion dlq replay` writes it (`fields` set its other fields: the operator, say)."""
    asked = payload(ReplayDeadLetter, service=service, partition=partition, offset=offset, **fields)
    return record_of(ReplayDeadLetter.model_validate(asked), source="/diversion/operations")
