"""Sends the outbox to Kafka: woken by NOTIFY, in batches, in id order, one active relay per schema.

Several replicas of a service each run a relay; a transaction-scoped advisory lock lets one of
them work at a time, which keeps records in id order (and so per-key order) across replicas. A
batch is sent, every send is awaited (idempotent producer, `acks=all`), and only then are the
rows marked sent, in the same transaction that held the lock.
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

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 60.0


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        retain_sent_seconds: int = 24 * 3600,
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
        self._wake = asyncio.Event()
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
        last_purge = time.monotonic()
        try:
            while True:
                sent = await self._relay_batch_on(connection)
                if sent < self._batch_size:
                    if sent == 0 and time.monotonic() - last_purge > PURGE_INTERVAL_SECONDS:
                        await self._purge_sent(connection)
                        last_purge = time.monotonic()
                    await self._wait_for_work()
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
            rows = await connection.fetch(
                "SELECT id, topic, key, header_names, header_values, value FROM outbox"
                " WHERE sent_at IS NULL ORDER BY id LIMIT $1",
                self._batch_size,
            )
            if not rows:
                return 0
            await self._send(rows)
            await self._mark_sent(connection, [row["id"] for row in rows])
            return len(rows)

    async def _purge_sent(self, connection: asyncpg.Connection) -> int:
        """Delete rows sent longer ago than the retention; they only serve to trace recent sends."""
        status = await connection.execute(
            "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)", self._retain_sent_seconds
        )
        return int(status.split()[-1])

    async def _send(self, rows: list[asyncpg.Record]) -> None:
        if self._prepare_topics is not None and (new := {row["topic"] for row in rows} - self._prepared):
            await self._prepare_topics(new)
            self._prepared |= new
        futures = [
            await self._producer.send(
                row["topic"],
                value=row["value"],
                key=row["key"],
                headers=list(zip(row["header_names"], row["header_values"], strict=True)),
            )
            for row in rows
        ]
        await asyncio.gather(*futures)
        if self._metrics is not None:
            for row in rows:
                headers = dict(zip(row["header_names"], row["header_values"], strict=True))
                self._metrics.record_published(row["topic"], headers.get("ce_type"))

    async def _mark_sent(self, connection: asyncpg.Connection, ids: list[int]) -> None:
        await connection.execute("UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", ids)

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)
        self._wake.clear()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()


def _lock_key(schema: str) -> int:
    return zlib.crc32(f"outbox-relay:{schema}".encode())
