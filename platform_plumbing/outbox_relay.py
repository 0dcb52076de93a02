"""Sends the outbox to Kafka: a consumer batch's rows straight after its commit, the rest woken by NOTIFY,
in batches, in id order, one active relay per schema.

Several replicas of a service each run a relay; a transaction-scoped advisory lock lets one of
them work at a time, which keeps records in id order (and so per-key order) across replicas. A
batch is sent, every send is awaited (idempotent producer, `acks=all`), and only then are the
rows marked sent, in the same transaction that held the lock.

A consumer batch's own rows skip that: `send_straight` sends them on the same producer once the batch has
committed, and the relay marks them sent when Kafka has acknowledged them (one UPDATE for whatever was
confirmed since it last looked). The relay leaves such a `straight` row alone for `straight_grace_seconds`
and sweeps it if it is still unconfirmed by then (the replica died, Kafka refused it): the outbox stays the
guarantee, at the cost of a duplicate the consumers' inboxes skip. A row that is the relay's is sent after
every earlier unsent row of its key, straight or not, so no row overtakes one of its key committed before
it (`outbox.claim_straight` sends nothing straight behind such a row).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaProducer

from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.outbox import OutboxRow, claim_straight
from platform_plumbing.pending_writes import PendingWrites

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 60.0

_UNSENT_IN_TURN = """
SELECT id, topic, key, header_names, header_values, value FROM outbox o
 WHERE sent_at IS NULL
   AND (NOT straight
        OR created_at <= now() - make_interval(secs => $2)
        OR EXISTS (SELECT 1 FROM outbox later
                    WHERE later.key = o.key AND later.id > o.id AND later.sent_at IS NULL AND NOT later.straight))
 ORDER BY id LIMIT $1
"""
"""Unsent rows that are the relay's, in id order: every row not sent straight, a straight row left
unconfirmed past the grace period, and a straight row a later row of its key (the relay's) must follow."""


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        retain_sent_seconds: int = 24 * 3600,
        straight_grace_seconds: float = 10.0,
        metrics: ServiceMetrics | None = None,
        prepare_topics: Callable[[set[str]], Awaitable[None]] | None = None,
    ) -> None:
        """`prepare_topics` is given the topics of a batch the relay has not sent to before, ahead of the
        first send: where a service creates topics of its own (compliance, an agency's), it creates them."""
        self._pool = pool
        self._producer = producer
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._retain_sent_seconds = retain_sent_seconds
        self._straight_grace_seconds = straight_grace_seconds
        self._wake = asyncio.Event()
        self._notified = False
        self._confirmed: list[int] = []
        self._acknowledging: set[asyncio.Task] = set()
        self._metrics = metrics
        self._lock_key: int | None = None
        self._prepare_topics = prepare_topics
        self._prepared: set[str] = set()

    async def run(self) -> None:
        """Relay until cancelled. Errors are logged and retried after a pause: nothing is dropped."""
        while True:
            try:
                async with self._pool.acquire() as connection:
                    await self._relay_on(connection)
            except Exception as error:  # Kafka or PostgreSQL away: the rows stay unsent
                logger.warning("outbox relay batch failed, will retry: %s", type(error).__name__)
                await asyncio.sleep(self._poll_seconds)

    async def _relay_on(self, connection: asyncpg.Connection) -> None:
        """Relay on one connection, which also listens for the outbox's NOTIFY: handing a connection back to
        the pool after every batch would cost four statements of reset each time."""
        schema = await connection.fetchval("SELECT current_schema()")
        await connection.add_listener(f"outbox_{schema}", self._on_notify)
        last_purge = last_sweep = time.monotonic()
        sweep = True
        try:
            while True:
                await self._mark_confirmed(connection)
                sent = 0
                if sweep:
                    sent, last_sweep = await self._relay_batch_on(connection), time.monotonic()
                if sent == self._batch_size:
                    continue  # more may be waiting
                if sent == 0 and time.monotonic() - last_purge > PURGE_INTERVAL_SECONDS:
                    await self._purge_sent(connection)
                    last_purge = time.monotonic()
                sweep = await self._wait_for_work(last_sweep)
        finally:
            with contextlib.suppress(Exception):
                await connection.remove_listener(f"outbox_{schema}", self._on_notify)

    async def relay_batch(self) -> int:
        """Send one batch of unsent rows and mark them sent; return how many were sent."""
        async with self._pool.acquire() as connection:
            return await self._relay_batch_on(connection)

    async def _relay_batch_on(self, connection: asyncpg.Connection) -> int:
        async with connection.transaction():
            if self._lock_key is None:  # the pool's schema never changes
                self._lock_key = _lock_key(await connection.fetchval("SELECT current_schema()"))
            if not await connection.fetchval("SELECT pg_try_advisory_xact_lock($1)", self._lock_key):
                return 0
            rows = await connection.fetch(_UNSENT_IN_TURN, self._batch_size, self._straight_grace_seconds)
            if not rows:
                return 0
            sent = [OutboxRow(*row) for row in rows]
            await asyncio.gather(*await self._send(sent))
            self._published(sent)
            await self._mark_sent(connection, [row.id for row in sent])
            return len(sent)

    async def send_straight(self, rows: list[OutboxRow]) -> None:
        """Send rows a consumer batch has just committed (see `outbox.claim_straight`), in order, and have them
        marked sent once Kafka acknowledges them. Never raises: the batch is committed whatever happens here,
        and a row not confirmed is the relay's after the grace period."""
        try:
            acknowledged = await self._send(rows)
        except Exception as error:
            logger.warning("sending straight failed, the relay will send: %s", type(error).__name__)
            return
        task = asyncio.create_task(self._confirm(rows, acknowledged))
        self._acknowledging.add(task)
        task.add_done_callback(self._acknowledging.discard)

    async def claim(
        self, connection: asyncpg.Connection, writes: PendingWrites, *, wait: float = 1.0
    ) -> list[OutboxRow]:
        """The rows queued in `writes` that their transaction may send straight after it commits (see
        `outbox.claim_straight`), counting as in Kafka the rows sent straight that were acknowledged within `wait`
        seconds."""
        if not writes.pending("outbox"):
            return []
        return await claim_straight(connection, writes, await self.acknowledged(timeout=wait))

    async def acknowledged(self, *, timeout: float = 1.0) -> list[int]:
        """The ids of rows sent straight that Kafka has acknowledged and the relay has not marked sent yet, once
        the sends still in flight are answered (or `timeout` passed): a later row of their keys may then be
        sent straight too, since they are in Kafka before it (see `outbox.claim_straight`)."""
        if self._acknowledging:
            await asyncio.wait(set(self._acknowledging), timeout=timeout)
        return list(self._confirmed)

    async def _confirm(self, rows: list[OutboxRow], acknowledged: list[asyncio.Future]) -> None:
        try:
            await asyncio.gather(*acknowledged)
        except Exception as error:
            logger.warning("a straight send was not acknowledged, the relay will send: %s", type(error).__name__)
            return
        self._published(rows)
        self._confirmed.extend(row.id for row in rows)
        self._wake.set()

    async def _mark_confirmed(self, connection: asyncpg.Connection) -> None:
        if self._confirmed:
            ids = list(self._confirmed)
            await self._mark_sent(connection, ids)
            del self._confirmed[: len(ids)]

    async def _purge_sent(self, connection: asyncpg.Connection) -> int:
        """Delete rows sent longer ago than the retention; they only serve to trace recent sends."""
        status = await connection.execute(
            "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)", self._retain_sent_seconds
        )
        return int(status.split()[-1])

    async def _send(self, rows: list[OutboxRow]) -> list[asyncio.Future]:
        """Hand `rows` to the producer in order; returns what resolves as Kafka acknowledges each."""
        if self._prepare_topics is not None and (new := {row.topic for row in rows} - self._prepared):
            await self._prepare_topics(new)
            self._prepared |= new
        return [
            await self._producer.send(
                row.topic,
                value=row.value,
                key=row.key,
                headers=list(zip(row.header_names, row.header_values, strict=True)),
            )
            for row in rows
        ]

    def _published(self, rows: list[OutboxRow]) -> None:
        if self._metrics is not None:
            for row in rows:
                headers = dict(zip(row.header_names, row.header_values, strict=True))
                self._metrics.record_published(row.topic, headers.get("ce_type"))

    async def _mark_sent(self, connection: asyncpg.Connection, ids: list[int]) -> None:
        await connection.execute(
            "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[]) AND sent_at IS NULL", ids
        )

    async def _wait_for_work(self, last_sweep: float) -> bool:
        """Wait for a NOTIFY, a confirmation to mark or the poll; True if the outbox is to be swept: on a
        NOTIFY, and at least every `poll_seconds` however many confirmations keep waking the relay (a straight
        row never confirmed is found by that poll)."""
        next_poll = last_sweep + self._poll_seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(next_poll - time.monotonic(), 0))
        self._wake.clear()
        sweep, self._notified = self._notified or time.monotonic() >= next_poll, False
        return sweep

    def _on_notify(self, *_: object) -> None:
        self._notified = True
        self._wake.set()


def _lock_key(schema: str) -> int:
    return zlib.crc32(f"outbox-relay:{schema}".encode())
