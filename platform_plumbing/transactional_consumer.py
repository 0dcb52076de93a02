"""A batch of Kafka records, applied in one PostgreSQL transaction, exactly once each.

Every record's CloudEvent is decoded before the transaction opens (a replayed sealed letter is opened,
with its key, inside it). Then, inside one transaction for the whole batch:
- a record that cannot be decoded or validated is dead-lettered;
- each event's id is claimed in the inbox; an id already claimed is a duplicate and is skipped;
- run the handler; a record the handler rejects (`PoisonMessage`) is undone alone and
  dead-lettered, while the rest of the batch stands.
Dead letters go through the outbox, in the same transaction, so they are never lost either.

Round trips to PostgreSQL are what a batch costs (`make bench` shows it), so a batch is
handled as a set wherever it can be: records are decoded before the transaction, the service's
`load` step locks and reads what the whole batch needs in one go, the handlers apply each
record to that state in offset order, and the rows they append (events, audit, history) are
queued in one `PendingWrites` and written with one COPY per table before the commit. That is
the optimistic attempt: the whole batch's ids claimed in one statement, no savepoints. Only
when a handler raises is it rolled back and the batch re-run carefully, each record in its own
savepoint with state loaded for it alone, so the one bad record can be set aside.

Errors that are the infrastructure's (PostgreSQL or the network away) abort the batch, which
is then retried whole: nothing was committed, so nothing happens twice. Any other unexpected
error aborts the batch too, and is counted against the record that raised it; after
`max_attempts` that record is dead-lettered so one bad record can never stall its partition.

The caller commits Kafka offsets only after `process` returned, i.e. after the database commit.
The consumer holds one connection for its life (`close` gives it back), one batch at a time.

Given the service's relay, a batch sends the events it wrote itself once it has committed, instead of
waiting for the relay to be woken and read them back (see `outbox.claim_straight`); the outbox remains the
guarantee that they are sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import SpanKind
from pydantic import BaseModel, ValidationError

from platform_plumbing.dead_letters import Rejection, dead_letter
from platform_plumbing.inbox import claim, claim_all
from platform_plumbing.logging_setup import where_raised
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.outbox import OutboxRow, add_to_outbox, claim_straight
from platform_plumbing.outbox_relay import OutboxRelay
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.sealed_letters import SealedLetters, UnreadableLetter
from platform_plumbing.tracing import context_from_headers, tracer
from schemas.envelope import CloudEventAttributes, InvalidEnvelope, decode, describe_validation_error
from schemas.topics import Topic

logger = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.AdminShutdownError,
)


class ChangedMeanwhile(Exception):
    """Raised when a batch is written: another transaction changed what the batch decided on after it read it
    (a police reference taken, an agency's load moved). Nothing of the batch is kept and it is run again at
    once on what is now true; it is never counted against a record."""


BATCH_ERRORS = (*INFRASTRUCTURE_ERRORS, ChangedMeanwhile)
"""Errors that are never a record's fault: they abort the whole batch, which is run again."""

RERUNS_AFTER_A_CHANGE = 3
"""How many times a batch is run again at once after `ChangedMeanwhile` before it goes back to Kafka."""


class PoisonMessage(Exception):
    """Raised by a handler for a record that can never be processed; `reason` must hold no personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IncomingEvent:
    attributes: CloudEventAttributes
    payload: BaseModel
    record: ConsumerRecord

    @property
    def event_id(self) -> str:
        """What the inbox claims: CloudEvents ids are unique per source."""
        return f"{self.attributes.source}/{self.attributes.id}"


@dataclass(frozen=True)
class Batch:
    """What a handler works with: the batch's connection (in its transaction), where it queues the rows it
    appends, what the service's `load` step read for the batch (None without one), and whether this is the
    careful run, record by record, each in a savepoint (a handler that applies more than one event, such as
    compliance releasing held ones, gives each its own there)."""

    connection: asyncpg.Connection
    writes: PendingWrites
    loaded: Any = None
    careful: bool = False


Handler = Callable[[Batch, IncomingEvent], Awaitable[None]]
BatchLoad = Callable[[asyncpg.Connection, Sequence[IncomingEvent]], Awaitable[Any]]


@dataclass
class BatchOutcome:
    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0


def check_sender(incoming: IncomingEvent, topic: Topic, prefix: str, claimed: str) -> None:
    """Identity comes from the topic, which the broker lets only its force or agency write, never from the
    payload: a record that names another party than its topic's own is refused (dead-lettered)."""
    sender = topic.party_of(incoming.record.topic, prefix)
    if sender is not None and claimed != sender:
        raise PoisonMessage(f"it names {topic.per} {claimed} but came on the topic of {topic.per} {sender}")


@dataclass(frozen=True)
class _Refused:
    """A record that cannot be read as an event: dead-lettered with why."""

    record: ConsumerRecord
    rejection: Rejection


@dataclass(frozen=True)
class _Sealed:
    """A replayed sealed letter: readable only once opened with its key, inside the transaction."""

    record: ConsumerRecord


_Decoded = IncomingEvent | _Refused | _Sealed


def read_event(record: ConsumerRecord, registry: Mapping[str, type[BaseModel]]) -> IncomingEvent | Rejection:
    """The record as an event of one of `registry`'s types, or why it cannot be read; the reason never
    repeats the record's content."""
    try:
        attributes, payload = decode(record.headers, record.value, registry)
    except InvalidEnvelope as error:
        return Rejection("InvalidEnvelope", str(error))
    except ValidationError as error:
        return Rejection("ValidationError", describe_validation_error(error))
    return IncomingEvent(attributes, payload, record)


class _CarefulRetry(Exception):
    """A handler raised during the optimistic attempt: undo it and re-run the batch record by record."""


class TransactionalBatchConsumer:
    def __init__(
        self,
        *,
        registry: Callable[[str], Mapping[str, type[BaseModel]]],
        handler: Handler,
        order: Callable[[str], int] = lambda topic: 0,
        service: str,
        dead_letter_topic: str,
        max_attempts: int = 5,
        max_record_bytes: int = 128 * 1024,
        metrics: ServiceMetrics | None = None,
        load: BatchLoad | None = None,
        sealed_letters: SealedLetters | None = None,
    ) -> None:
        """`registry` gives, for a record's topic, the types a record on it may carry: a type that topic does
        not carry is refused, whoever sent it (a force may write its decisions topic, but not an outcome
        onto it for intake to follow). `order` ranks a record's topic: a batch is applied topic by topic in
        that rank, each partition's records still in offset order. Kafka orders nothing across topics, so
        this is one of the orders the records could have arrived in, and the one in which an event comes
        after what it names whenever both are in the batch (a referral after its case, an agency's update
        after its referral) instead of being held for it. `load` runs in every batch's transaction once its
        records are decoded, before any handler: the place for the locks its handlers need, taken in one
        fixed order so that replicas cannot deadlock (compliance's cases, the router's followed referrals),
        and for reading what the batch's records need in one query per table; what it returns reaches every
        handler as `batch.loaded`.
        `sealed_letters`, for a service that reads personal data in clear, seals the body of every dead
        letter it writes and opens a replayed one (see `platform_plumbing.sealed_letters`)."""
        self._pool: asyncpg.Pool | None = None
        self._relay: OutboxRelay | None = None
        self._held: asyncpg.Connection | None = None
        self._one_batch_at_a_time = asyncio.Lock()
        self._registry = registry
        self._order = order
        self._handler = handler
        self._service = service
        self._dead_letter_topic = dead_letter_topic
        self._max_attempts = max_attempts
        self._max_record_bytes = max_record_bytes
        self._failures: dict[tuple[str, int, int], int] = {}
        self._metrics = metrics
        self._load = load
        self._sealed_letters = sealed_letters

    def bind(self, pool: asyncpg.Pool, relay: OutboxRelay | None = None) -> None:
        """Give the consumer its database once the service has started it, and the relay of its outbox to
        send each batch's events straight after its commit (without one, the relay sends them when woken)."""
        self._pool = pool
        self._relay = relay

    async def close(self) -> None:
        """Give back the connection the consumer holds (before its pool closes)."""
        async with self._one_batch_at_a_time:
            await self._let_go()

    async def process(self, records: Sequence[ConsumerRecord]) -> BatchOutcome:
        """Apply `records` in one transaction; raises (and commits nothing) if the batch must be retried."""
        ordered = sorted(records, key=lambda record: self._order(record.topic))  # stable: offset order kept
        decoded = [self._decoded(record) for record in ordered]  # before any transaction opens
        async with self._one_batch_at_a_time:
            try:
                outcome = await self._applied(await self._connection(), decoded)
            except BaseException:
                await self._let_go()  # whatever state a failure left it in, the pool resets or closes it
                raise
        for record in records:
            self._failures.pop(_position(record), None)
        if self._metrics is not None:
            self._metrics.record_consumed(
                applied=outcome.applied, duplicates=outcome.duplicates, dead_lettered=outcome.dead_lettered
            )
        return outcome

    async def _applied(self, connection: asyncpg.Connection, decoded: Sequence[_Decoded]) -> BatchOutcome:
        reruns = 0
        while True:
            try:
                try:
                    return await self._in_transaction(connection, decoded, self._apply_optimistically)
                except _CarefulRetry:
                    return await self._in_transaction(connection, decoded, self._apply_carefully)
            except ChangedMeanwhile as change:
                reruns += 1
                if reruns > RERUNS_AFTER_A_CHANGE:
                    raise
                logger.info("batch of %d run again: %s", len(decoded), type(change).__name__)

    async def _connection(self) -> asyncpg.Connection:
        """The consumer keeps one connection from batch to batch: handing it back to the pool after every
        batch costs four statements (asyncpg resets it: RESET ALL, CLOSE ALL, UNLISTEN, advisory unlock)."""
        if self._held is not None and not _usable(self._held):  # PostgreSQL ended it between batches
            await self._let_go()
        if self._held is None:
            self._held = await self._pool.acquire()
        return self._held

    async def _let_go(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await self._pool.release(held)

    async def _in_transaction(
        self, connection: asyncpg.Connection, decoded: Sequence[_Decoded], apply: Callable
    ) -> BatchOutcome:
        outcome = BatchOutcome()
        async with connection.transaction():
            events = []
            for item in decoded:
                if isinstance(item, _Sealed):
                    item = await self._opened(connection, item.record)
                if isinstance(item, _Refused):
                    await self._reject(connection, item.record, _position_id(item.record), item.rejection, outcome)
                else:
                    events.append(item)
            batch = Batch(connection, PendingWrites(), await self._loaded(connection, events))
            await apply(batch, events, outcome)
            straight = await self._claim_straight(connection, batch.writes)
            await batch.writes.flush(connection)
        if straight:
            await self._relay.send_straight(straight)
        return outcome

    async def _claim_straight(self, connection: asyncpg.Connection, writes: PendingWrites) -> list[OutboxRow]:
        """The batch's events it sends itself after its commit; none without a relay to confirm them."""
        if self._relay is None or not writes.pending("outbox"):
            return []
        return await claim_straight(connection, writes, await self._relay.acknowledged())

    async def _loaded(self, connection: asyncpg.Connection, events: Sequence[IncomingEvent]) -> Any:
        return None if self._load is None else await self._load(connection, events)

    async def _apply_optimistically(self, batch: Batch, events: list[IncomingEvent], outcome: BatchOutcome) -> None:
        connection = batch.connection
        unclaimed = await claim_all(connection, [(event.event_id, event.record.topic) for event in events])
        for event in events:
            if event.event_id not in unclaimed:
                outcome.duplicates += 1  # already processed, or earlier in this same batch
                continue
            unclaimed.discard(event.event_id)
            with _span(event.record):
                try:
                    await self._handler(batch, event)
                except BATCH_ERRORS:
                    raise
                except Exception as error:
                    raise _CarefulRetry from error
            outcome.applied += 1

    async def _apply_carefully(self, batch: Batch, events: list[IncomingEvent], outcome: BatchOutcome) -> None:
        for event in events:
            with _span(event.record):
                await self._apply_one(batch, event, outcome)

    def _decoded(self, record: ConsumerRecord) -> _Decoded:
        """The record as an event, or refused as unreadable; a sealed letter is left to open in the transaction."""
        if self._sealed_letters is not None and self._sealed_letters.is_sealed(record):
            return _Sealed(record)
        size = len(record.value or b"") + sum(len(name) + len(value or b"") for name, value in record.headers)
        if size > self._max_record_bytes:
            reason = f"record of {size} bytes is larger than the {self._max_record_bytes} this service accepts"
            return _Refused(record, Rejection("RecordTooLarge", reason))
        event = read_event(record, self._registry(record.topic))
        return _Refused(record, event) if isinstance(event, Rejection) else event

    async def _opened(self, connection: asyncpg.Connection, record: ConsumerRecord) -> IncomingEvent | _Refused:
        try:
            return self._decoded(await self._sealed_letters.opened(connection, record))
        except UnreadableLetter as error:
            return _Refused(record, Rejection("UnreadableLetter", str(error)))

    async def _apply_one(self, batch: Batch, event: IncomingEvent, outcome: BatchOutcome) -> None:
        """The record in a savepoint of its own, with state loaded for it alone (what an undone record left
        in memory is never seen again), its appended rows written inside it or forgotten with it."""
        connection, writes, record = batch.connection, batch.writes, event.record
        mark = writes.mark()
        try:
            async with connection.transaction():
                if not await claim(connection, event.event_id, record.topic):
                    outcome.duplicates += 1
                    return
                loaded = await self._loaded(connection, [event])
                await self._handler(Batch(connection, writes, loaded, careful=True), event)
                await writes.flush(connection)
                outcome.applied += 1
        except PoisonMessage as error:
            writes.undo_to(mark)
            await self._reject(
                connection, record, _position_id(record), Rejection("PoisonMessage", error.reason), outcome
            )
        except BATCH_ERRORS:
            raise
        except Exception as error:
            writes.undo_to(mark)
            failures = self._failures.get(_position(record), 0) + 1
            self._failures[_position(record)] = failures
            if failures < self._max_attempts:
                raise
            logger.error(
                "dead-lettering %s after %d failed attempts: %s at %s",
                _position_id(record),
                failures,
                type(error).__name__,
                where_raised(error),
            )
            await self._reject(
                connection, record, _position_id(record), Rejection(type(error).__name__, "unexpected error"), outcome
            )

    async def _reject(
        self,
        connection: asyncpg.Connection,
        record: ConsumerRecord,
        position_id: str,
        rejection: Rejection,
        outcome: BatchOutcome,
    ) -> None:
        """Dead-letter `record` once per position: a redelivery of this offset is skipped, while a
        replay from the dead-letter topic (a new offset, the same event id) is processed afresh."""
        if not await claim(connection, position_id, record.topic):
            outcome.duplicates += 1
            return
        letter = dead_letter(record, rejection, topic=self._dead_letter_topic, service=self._service)
        if self._sealed_letters is not None:
            letter = await self._sealed_letters.seal(connection, letter)
        await add_to_outbox(connection, [letter])
        logger.warning("dead-lettered %s: %s", _position_id(record), rejection.error_class)
        outcome.dead_lettered += 1


def _usable(connection: asyncpg.Connection) -> bool:
    """Whether a held connection can still be used: when PostgreSQL ends it, asyncpg closes it and hands it
    back to the pool itself, and the consumer's handle to it then refuses every call."""
    try:
        return not connection.is_closed()
    except asyncpg.InterfaceError:
        return False


def _span(record: ConsumerRecord):
    return tracer().start_as_current_span(
        f"consume {record.topic}", kind=SpanKind.CONSUMER, context=context_from_headers(record.headers)
    )


def _position(record: ConsumerRecord) -> tuple[str, int, int]:
    return (record.topic, record.partition, record.offset)


def _position_id(record: ConsumerRecord) -> str:
    return f"kafka:{record.topic}/{record.partition}/{record.offset}"
