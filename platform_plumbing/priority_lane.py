"""A second reader of some of a service's topics that applies, at once, the few types that must not wait behind
its consumer group's lag.

Issue 24: a safeguarding concern an agency sent on its Kafka topic reached the police's topic in p99 6.1 s at
the sustained rate (the target is 2 s), because it queued behind every other update in compliance's batches.
The lane is an accelerator, never the guarantee: the service's transactional consumer still reads every record
and applies it idempotently (a concern already kept is not kept again), so whatever the lane skips, fails on or
has not reached is applied there — a referral not read yet, a record to dead-letter, a database that is down.
The lane therefore keeps no inbox, writes no dead letters and retries nothing. It reads in a group of its own
(`{service}.{lane}`, which the service's ACLs allow), starts at the end of its topics, commits as it goes and
parses only records whose `ce_type` header names a type it expedites. Like a consumer batch, it sends the events it
wrote itself once its transaction has committed (`outbox.claim_straight`), rather than wait for the relay. It takes
no lock a batch holds, so what it sends may reach Kafka before a batch's earlier-committed events of the same key:
expedite only facts whose order against the rest does not matter (a concern, known by its own id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

import asyncpg
from aiokafka.structs import ConsumerRecord
from pydantic import BaseModel

from platform_plumbing.incoming import IncomingEvent, read_event, record_bytes
from platform_plumbing.kafka_clients import KafkaAccess, consumer_for
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.outbox import OutboxRow
from platform_plumbing.outbox_relay import OutboxRelay
from platform_plumbing.pending_writes import PendingWrites

logger = logging.getLogger(__name__)

Expedite = Callable[[asyncpg.Connection, PendingWrites, IncomingEvent], Awaitable[bool]]
"""Apply one expedited event in the lane's transaction on `connection`, queueing the rows it appends in `writes`;
True if it changed anything. Whatever it raises leaves the event to the service's consumer."""


class PriorityLane:
    def __init__(
        self,
        kafka: KafkaAccess,
        *,
        name: str,
        pattern: str,
        group_id: str,
        types: Mapping[str, type[BaseModel]],
        expedite: Expedite,
        max_record_bytes: int,
        metrics: ServiceMetrics,
    ) -> None:
        self.name = name
        self._kafka = kafka
        self._pattern = pattern
        self._group_id = group_id
        self._types = dict(types)
        self._wanted = {name.encode() for name in types}
        self._expedite = expedite
        self._max_record_bytes = max_record_bytes
        self._metrics = metrics
        self._pool: asyncpg.Pool | None = None
        self._relay: OutboxRelay | None = None
        self.reading = asyncio.Event()
        """Set once the lane has partitions and knows where it reads from: what is sent after that, it sees."""

    def bind(self, pool: asyncpg.Pool, relay: OutboxRelay | None) -> None:
        """Give the lane its database and the relay that confirms what it sends straight, once the service has
        started them."""
        self._pool, self._relay = pool, relay

    async def run(self) -> None:
        """Read and expedite until cancelled; a Kafka failure is logged and the lane starts again a second later."""
        while True:
            consumer = consumer_for(
                self._kafka,
                group_id=self._group_id,
                client_id=self._group_id,
                enable_auto_commit=True,
                auto_offset_reset="latest",
                isolation_level="read_committed",
            )
            try:
                await consumer.start()
                consumer.subscribe(pattern=self._pattern)
                while True:
                    batches = await consumer.getmany(timeout_ms=500, max_records=500)
                    for records in batches.values():
                        for record in records:
                            await self.take(record)
                    if not self.reading.is_set() and consumer.assignment():
                        for partition in consumer.assignment():
                            await consumer.position(partition)
                        self.reading.set()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the consumer behind it applies whatever is missed
                logger.warning("priority lane %s restarts after %s", self.name, type(error).__name__)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def take(self, record: ConsumerRecord) -> bool:
        """Expedite `record` if it is of a type this lane is for; True when that changed anything."""
        if not self._is_wanted(record):
            return False
        event = read_event(record, self._types)
        if not isinstance(event, IncomingEvent):
            return self._counted("left", applied=False)
        try:
            applied = await self._applied(event)
        except Exception as error:  # noqa: BLE001 - left to the service's consumer, which dead-letters or retries
            logger.info("priority lane %s leaves a record to the consumer (%s)", self.name, type(error).__name__)
            return self._counted("left", applied=False)
        return self._counted("applied" if applied else "known", applied=applied)

    async def _applied(self, event: IncomingEvent) -> bool:
        writes = PendingWrites()
        straight: list[OutboxRow] = []
        async with self._pool.acquire() as connection, connection.transaction():
            applied = await self._expedite(connection, writes, event)
            if self._relay is not None:
                straight = await self._relay.claim(connection, writes, wait=0)
            await writes.flush(connection)
        if straight:
            await self._relay.send_straight(straight)
        return applied

    def _is_wanted(self, record: ConsumerRecord) -> bool:
        return record_bytes(record) <= self._max_record_bytes and any(
            name == "ce_type" and value in self._wanted for name, value in record.headers
        )

    def _counted(self, outcome: str, *, applied: bool) -> bool:
        self._metrics.expedited.labels(self._metrics.service, self.name, outcome).inc()
        return applied
