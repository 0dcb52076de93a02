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

Errors that are the infrastructure's (PostgreSQL, Kafka or the network away, named in `BATCH_ERRORS`) abort the
batch, which is then retried whole, for as long as it takes: nothing was committed, so nothing happens twice.
Whatever else a record makes the code raise — decoding, validating, opening a sealed letter, the load step,
the handler, writing — counts against that record: the optimistic attempt is undone and the batch run
carefully, record by record, which finds the record at fault; it is retried with its batch and, after
`max_attempts`, dead-lettered, so no record can stall its partition (issue 22: one nested 50,000 levels deep
once did, for good). Dead-lettering itself cannot fail on a record's content: a body that cannot be sealed
is dropped from its letter rather than sent in clear.

A record on the replay topic is a request from the operations team to read one of this service's dead
letters again (`platform_plumbing.replays`): the record it rebuilds goes through like any other, as its
original sender's, and what becomes of it is claimed under the request's position.

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
from uuid import UUID

import asyncpg
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import SpanKind
from pydantic import BaseModel

from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from platform_plumbing.dead_letters import Rejection, bare, dead_letter, without_body
from platform_plumbing.inbox import claim, claim_all
from platform_plumbing.incoming import IncomingEvent, Replay, read_event, record_bytes
from platform_plumbing.kafka_acls import writer_of
from platform_plumbing.logging_setup import where_raised
from platform_plumbing.metrics import ServiceMetrics, type_label
from platform_plumbing.outbox import OutboxRow, OutgoingRecord, add_to_outbox
from platform_plumbing.outbox_relay import OutboxRelay
from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.replays import Replays
from platform_plumbing.sealed_letters import SealedLetters, UnreadableLetter
from platform_plumbing.tracing import context_from_headers, tracer
from schemas.topics import DEAD_LETTERS, Topic

logger = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    KafkaError,  # the broker, when a replay request's dead letter is read back
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
    replay: Replay | None = None


@dataclass(frozen=True)
class _Sealed:
    """A replayed sealed letter: readable only once opened with its key, inside the transaction."""

    record: ConsumerRecord
    replay: Replay


_Decoded = IncomingEvent | _Refused | _Sealed


def _delivered(item: _Decoded) -> ConsumerRecord:
    """Where Kafka delivered `item` (see `IncomingEvent.delivered`)."""
    return item.replay.request if item.replay is not None else item.record


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
        replays: Replays | None = None,
        audited: bool = False,
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
        letter it writes and opens a replayed one (see `platform_plumbing.sealed_letters`). `replays` reads
        the dead letters the operations team asks this service to read again; `audited`, for a service with an
        audit trail, records each replay there (see `platform_plumbing.replays`)."""
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
        self._replays = replays
        self._audited = audited

    def bind(self, pool: asyncpg.Pool, relay: OutboxRelay | None = None) -> None:
        """Give the consumer its database once the service has started it, and the relay of its outbox to
        send each batch's events straight after its commit (without one, the relay sends them when woken)."""
        self._pool = pool
        self._relay = relay

    async def close(self) -> None:
        """Give back the connection the consumer holds (before its pool closes)."""
        async with self._one_batch_at_a_time:
            await self._let_go()

    @property
    def metrics(self) -> ServiceMetrics | None:
        return self._metrics

    async def process(self, records: Sequence[ConsumerRecord]) -> BatchOutcome:
        """Apply `records` in one transaction; raises (and commits nothing) if the batch must be retried."""
        ordered = sorted(records, key=lambda record: self._order(record.topic))  # stable: offset order kept
        decoded = [item for record in ordered if (item := await self._read(record)) is not None]  # before any
        async with self._one_batch_at_a_time:  # transaction opens
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
                    return await self._optimistically(connection, decoded)
                except BATCH_ERRORS:
                    raise
                except Exception as error:  # some record's fault: run record by record to find it
                    logger.info(
                        "batch of %d run record by record after %s at %s",
                        len(decoded),
                        type(error).__name__,
                        where_raised(error),
                    )
                    return await self._carefully(connection, decoded)
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

    async def _optimistically(self, connection: asyncpg.Connection, decoded: Sequence[_Decoded]) -> BatchOutcome:
        """The whole batch as a set: one load, the ids claimed in one statement, no savepoints."""
        outcome = BatchOutcome()
        async with connection.transaction():
            events = []
            for item in decoded:
                item = await self._opened(connection, item)
                if isinstance(item, _Refused):
                    await self._reject(connection, item, outcome)
                else:
                    events.append(item)
            batch = Batch(connection, PendingWrites(), await self._loaded(connection, events))
            await self._apply_all(batch, events, outcome)
            straight = await self._claim_straight(connection, batch.writes)
            await batch.writes.flush(connection)
        if straight:
            await self._relay.send_straight(straight)
        return outcome

    async def _carefully(self, connection: asyncpg.Connection, decoded: Sequence[_Decoded]) -> BatchOutcome:
        """Record by record, each in a savepoint of its own, so that what one record makes fail is undone, and
        counted against it, alone."""
        outcome = BatchOutcome()
        writes = PendingWrites()
        async with connection.transaction():
            items = [await self._opened(connection, item) for item in decoded]
            await self._lock_for(connection, [item for item in items if isinstance(item, IncomingEvent)])
            for item in items:
                with _span(item.record):
                    await self._apply_one(Batch(connection, writes, careful=True), item, outcome)
            straight = await self._claim_straight(connection, writes)
            await writes.flush(connection)
        if straight:
            await self._relay.send_straight(straight)
        return outcome

    async def _lock_for(self, connection: asyncpg.Connection, events: list[IncomingEvent]) -> None:
        """The load step over the whole batch first, for the locks it takes in its fixed order (so that
        replicas cannot deadlock); each record then loads what it needs alone. If a record makes that step
        fail, the records take their locks one by one instead (a deadlock that may cause is retried)."""
        try:
            async with connection.transaction():
                await self._loaded(connection, events)
        except BATCH_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - found again, and counted, when its record runs alone
            logger.info("batch load refused (%s): records take their locks one by one", type(error).__name__)

    async def _claim_straight(self, connection: asyncpg.Connection, writes: PendingWrites) -> list[OutboxRow]:
        """The batch's events it sends itself after its commit; none without a relay to confirm them."""
        return [] if self._relay is None else await self._relay.claim(connection, writes)

    async def _loaded(self, connection: asyncpg.Connection, events: Sequence[IncomingEvent]) -> Any:
        return None if self._load is None else await self._load(connection, events)

    async def _apply_all(self, batch: Batch, events: list[IncomingEvent], outcome: BatchOutcome) -> None:
        connection = batch.connection
        unclaimed = await claim_all(connection, [(event.event_id, event.record.topic) for event in events])
        for event in events:
            if event.event_id not in unclaimed:
                outcome.duplicates += 1  # already processed, or earlier in this same batch
                continue
            unclaimed.discard(event.event_id)
            with _span(event.record):
                await self._handled(batch, event)
            outcome.applied += 1

    async def _handled(self, batch: Batch, event: IncomingEvent) -> None:
        """The handler applied to `event`; every row the handler queues for a replay names the operator who
        asked beside the original sender, and the replay itself is recorded."""
        if event.replay is None:
            await self._handler(batch, event)
            return
        with audit_trail.replaying(event.replay.operator):
            await self._handler(batch, event)
        if self._audited:
            audit_trail.queue(batch.writes, self._replay_entry(event.record, event.replay, event, "applied"))

    def _replay_entry(
        self, record: ConsumerRecord, replay: Replay, event: IncomingEvent | None, outcome: str
    ) -> AuditEntry:
        """The audit row of a replay: the original sender as the actor, the operator beside it."""
        payload = event.payload if event is not None else None
        case_id, referral_id = getattr(payload, "case_id", None), getattr(payload, "referral_id", None)
        what = event.attributes.type if event is not None else "a record"
        return AuditEntry(
            actor=writer_of(record.topic, self._prefix_of(record.topic)) or "unknown",
            action=Action.REPLAY,
            purpose=Purpose.OPERATIONS_SUPPORT,
            at=replay.requested_at,
            case_id=case_id if isinstance(case_id, UUID) else None,
            referral_id=referral_id if isinstance(referral_id, UUID) else None,
            detail=f"{what} from {_position_id(record)} read again on request {_position_id(replay.request)}: "
            f"{outcome}",
            replayed_by=replay.operator,
        )

    def _prefix_of(self, topic: str) -> str:
        """The deployment's or test's prefix on `topic`: what the dead-letter topic's name starts with."""
        return self._dead_letter_topic.removesuffix(DEAD_LETTERS.name)

    async def _read(self, record: ConsumerRecord) -> _Decoded | None:
        """The record as an event, or refused as unreadable; a replay request as the record it asks for (None
        when it is another service's); a sealed letter is left to open in the transaction."""
        if self._replays is None or not self._replays.requested_on(record.topic):
            return self._decoded(record)
        try:
            resolved = await self._replays.resolve(record)
        except INFRASTRUCTURE_ERRORS:  # the dead-letter topic cannot be read now: retry it
            raise
        except Exception as error:  # a request that makes resolving fail counts against it, like any record
            self._counted_against(record, error)
            resolved = Rejection(type(error).__name__, "the replay request could not be resolved")
        if resolved is None or isinstance(resolved, Rejection):
            return resolved and _Refused(record, resolved)
        original, replay = resolved
        if self._sealed_letters is not None and self._sealed_letters.is_sealed(original):
            return _Sealed(original, replay)
        return self._decoded(original, replay)

    def _decoded(self, record: ConsumerRecord, replay: Replay | None = None) -> IncomingEvent | _Refused:
        size = record_bytes(record)
        if size > self._max_record_bytes:
            reason = f"record of {size} bytes is larger than the {self._max_record_bytes} this service accepts"
            return _Refused(record, Rejection("RecordTooLarge", reason), replay)
        event = read_event(record, self._registry(record.topic), replay)
        return _Refused(record, event, replay) if isinstance(event, Rejection) else event

    async def _opened(self, connection: asyncpg.Connection, item: _Decoded) -> IncomingEvent | _Refused:
        """`item`, its body opened if it is a replayed sealed letter."""
        if not isinstance(item, _Sealed):
            return item
        try:
            return self._decoded(await self._sealed_letters.opened(connection, item.record), item.replay)
        except UnreadableLetter as error:
            return _Refused(item.record, Rejection("UnreadableLetter", str(error)), item.replay)
        except BATCH_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - a body that makes opening fail is the letter's fault
            rejection = Rejection(type(error).__name__, "its sealed body could not be opened")
            return _Refused(item.record, rejection, item.replay)

    async def _apply_one(self, batch: Batch, item: IncomingEvent | _Refused, outcome: BatchOutcome) -> None:
        """The record in a savepoint of its own, with state loaded for it alone (what an undone record left
        in memory is never seen again), its appended rows written inside it or forgotten with it."""
        if isinstance(item, _Refused):
            await self._reject_carefully(batch.connection, item, outcome)
            return
        connection, writes, event = batch.connection, batch.writes, item
        mark = writes.mark()
        try:
            async with connection.transaction():
                if not await claim(connection, event.event_id, event.record.topic):
                    outcome.duplicates += 1
                    return
                loaded = await self._loaded(connection, [event])
                await self._handled(Batch(connection, writes, loaded, careful=True), event)
                await writes.flush(connection)
                outcome.applied += 1
        except PoisonMessage as error:
            writes.undo_to(mark)
            rejection = Rejection("PoisonMessage", error.reason)
            await self._reject(connection, _Refused(event.record, rejection, event.replay), outcome)
        except BATCH_ERRORS:
            raise
        except Exception as error:
            writes.undo_to(mark)
            self._counted_against(event.delivered, error)
            rejection = Rejection(type(error).__name__, "unexpected error")
            await self._reject_carefully(connection, _Refused(event.record, rejection, event.replay), outcome)

    def _counted_against(self, delivered: ConsumerRecord, error: Exception) -> None:
        """One more failure of the record delivered at `delivered`: raise `error` again (the batch goes back to
        Kafka and is retried) until it has failed `max_attempts` times."""
        position = _position(delivered)
        failures = self._failures[position] = self._failures.get(position, 0) + 1
        if failures < self._max_attempts:
            raise error
        logger.error(
            "setting %s aside after %d failed attempts: %s at %s",
            _position_id(delivered),
            failures,
            type(error).__name__,
            where_raised(error),
        )

    async def _reject_carefully(self, connection: asyncpg.Connection, refused: _Refused, outcome: BatchOutcome) -> None:
        """`_reject` in a savepoint: a letter the record makes impossible to write (a header name PostgreSQL cannot
        hold, say) counts against the record, which in the end is dead-lettered bare (`dead_letters.bare`)."""
        try:
            async with connection.transaction():
                await self._reject(connection, refused, outcome)
        except BATCH_ERRORS:
            raise
        except Exception as error:
            self._counted_against(_delivered(refused), error)
            await self._reject(connection, refused, outcome, bare_because=type(error).__name__)

    async def _reject(
        self, connection: asyncpg.Connection, refused: _Refused, outcome: BatchOutcome, *, bare_because: str = ""
    ) -> None:
        """Dead-letter the record once per position it was delivered at: a redelivery is skipped, while a
        replay (a new request, the same event id) is processed afresh."""
        delivered = _delivered(refused)
        if not await claim(connection, _position_id(delivered), delivered.topic):
            outcome.duplicates += 1
            return
        letter = dead_letter(refused.record, refused.rejection, topic=self._dead_letter_topic, service=self._service)
        if bare_because:
            letter = bare(letter, f"the record's headers and body (its letter could not be written: {bare_because})")
        await add_to_outbox(connection, [await self._sealed(connection, letter)])
        if refused.replay is not None and self._audited:
            outcome_text = f"dead-lettered again ({refused.rejection.error_class})"
            await audit_trail.record(connection, self._replay_entry(refused.record, refused.replay, None, outcome_text))
        logger.warning("dead-lettered %s: %s", _position_id(delivered), refused.rejection.error_class)
        outcome.dead_lettered += 1

    async def _sealed(self, connection: asyncpg.Connection, letter: OutgoingRecord) -> OutgoingRecord:
        """`letter` with its body sealed, for a service that seals them; one whose body cannot be sealed loses
        its body (noted in the letter) rather than carry it in clear or stall the partition."""
        if self._sealed_letters is None:
            return letter
        try:
            async with connection.transaction():
                return await self._sealed_letters.seal(connection, letter)
        except BATCH_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - whatever the body makes sealing raise
            logger.error("a dead letter's body could not be sealed and was dropped: %s", type(error).__name__)
            return without_body(letter, "body (could not be sealed)")


def _usable(connection: asyncpg.Connection) -> bool:
    """Whether a held connection can still be used: when PostgreSQL ends it, asyncpg closes it and hands it
    back to the pool itself, and the consumer's handle to it then refuses every call."""
    try:
        return not connection.is_closed()
    except asyncpg.InterfaceError:
        return False


def _span(record: ConsumerRecord):
    """The record's span, continuing the trace it carries, named for what was consumed where."""
    event_type = next((value for name, value in record.headers if name == "ce_type"), None)
    return tracer().start_as_current_span(
        f"consume {record.topic}",
        kind=SpanKind.CONSUMER,
        context=context_from_headers(record.headers),
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": record.topic,
            "cloudevents.event_type": type_label(event_type),
        },
    )


def _position(record: ConsumerRecord) -> tuple[str, int, int]:
    return (record.topic, record.partition, record.offset)


def _position_id(record: ConsumerRecord) -> str:
    return f"kafka:{record.topic}/{record.partition}/{record.offset}"
