"""FastStream subscribers whose offsets are committed only after the database commit.

FastStream's default policy (`ACK_FIRST`) commits in the background before the handler runs —
at most once. `ACK` commits even when the handler failed, and `NACK_ON_ERROR` loops forever on
a poison message. So our subscribers use `MANUAL`: a batch goes through
`TransactionalBatchConsumer` (one DB transaction), then the offsets after the batch's own records
are committed. That commit is not awaited: the next batch is fetched while it travels, and a
commit lost to a crash or a rebalance only means records are delivered again, which the inbox
skips. (FastStream's `ack()` would commit the consumer's current position instead, which a commit
left in the background could see move past records not yet processed.) If the batch could not be
committed, `nack()` seeks every partition back to the batch's first record and the batch is
retried after a pause; poison records never reach this point, they are dead-lettered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy

from platform_plumbing.logging_setup import where_raised
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.settings import PlatformSettings
from platform_plumbing.transactional_consumer import TransactionalBatchConsumer

logger = logging.getLogger(__name__)


def subscribe_transactionally(
    broker: KafkaBroker,
    consumer: TransactionalBatchConsumer,
    *,
    pattern: str,
    group_id: str,
    settings: PlatformSettings,
    title: str | None = None,
    description: str | None = None,
) -> Any:
    """Register a batch subscriber on the topics `pattern` matches that runs every batch through `consumer`."""
    offsets = OffsetCommits()
    watch = StallWatch(group_id, consumer.metrics, alert_after_seconds=settings.stall_alert_seconds)

    @broker.subscriber(
        pattern=pattern,
        group_id=group_id,
        batch=True,
        max_records=settings.consumer_batch_size,
        batch_timeout_ms=settings.consumer_idle_wait_ms,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        parser=_tolerant_batch_parser,
        decoder=_keep_records,
        title=title,
        description=description,
    )
    async def handle_batch(message: KafkaMessage) -> None:
        try:
            await consumer.process(message.raw_message)
        except Exception as error:
            logger.warning(
                "batch of %d not committed, will retry: %s at %s",
                len(message.raw_message),
                type(error).__name__,
                where_raised(error),
            )
            watch.failed(error)
            await message.nack()
            await asyncio.sleep(settings.retry_backoff_seconds)
            return
        watch.committed()
        offsets.processed(message.consumer, message.raw_message)

    return handle_batch


class StallWatch:
    """Says when a consumer keeps retrying without committing: only the infrastructure's failures are retried
    without limit (a record's own are dead-lettered after a few attempts), so a consumer stuck for a minute
    means PostgreSQL or Kafka is away — or a fault of ours that a record reaches. It logs an ERROR every
    `alert_after_seconds` while it lasts and keeps `diversion_consumer_stalled_seconds` up to date."""

    def __init__(
        self,
        group: str,
        metrics: ServiceMetrics | None,
        *,
        alert_after_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._group = group
        self._metrics = metrics
        self._alert_after = alert_after_seconds
        self._clock = clock
        self._since: float | None = None
        self._next_alert = alert_after_seconds

    def failed(self, error: BaseException) -> None:
        now = self._clock()
        self._since = now if self._since is None else self._since
        stalled = now - self._since
        if self._metrics is not None:
            self._metrics.batch_retries.labels(self._metrics.service, self._group).inc()
            self._metrics.stalled.labels(self._metrics.service, self._group).set(stalled)
        if stalled >= self._next_alert:
            logger.error(
                "consumer group %s has retried its batch for %.0f s without committing: %s at %s",
                self._group,
                stalled,
                type(error).__name__,
                where_raised(error),
            )
            self._next_alert += self._alert_after

    def committed(self) -> None:
        if self._since is not None and self._metrics is not None:
            self._metrics.stalled.labels(self._metrics.service, self._group).set(0)
        self._since, self._next_alert = None, self._alert_after


class OffsetCommits:
    """Commits, in the background and one commit at a time, the offset after the last processed record of
    each partition; batches processed while a commit travels are folded into the next one, so the offsets
    committed only ever move forward."""

    def __init__(self) -> None:
        self._due: dict[TopicPartition, int] = {}
        self._committing: asyncio.Task | None = None

    def processed(self, consumer: AIOKafkaConsumer, records: Sequence[ConsumerRecord]) -> None:
        for record in records:
            partition = TopicPartition(record.topic, record.partition)
            self._due[partition] = max(self._due.get(partition, 0), record.offset + 1)
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit(consumer), name="offset-commit")

    async def _commit(self, consumer: AIOKafkaConsumer) -> None:
        while self._due:
            due, self._due = self._due, {}
            try:
                await consumer.commit(due)
            except (CommitFailedError, IllegalStateError) as error:
                # The group rebalanced while we worked; the new owner redelivers and the inbox dedupes.
                logger.info("offset commit skipped after rebalance: %s", type(error).__name__)
            except KafkaError as error:
                # Not committed: the records are delivered again after a restart, and skipped by the inbox.
                logger.warning("offset commit failed: %s", type(error).__name__)


async def _tolerant_batch_parser(records: tuple, original_parser: Any) -> Any:
    """FastStream's parser decodes every header as UTF-8 and would fail the whole batch on one bad
    header; give it a readable copy, and keep the untouched records for our own decoding."""
    readable = tuple(
        record if all(_is_text(v) for _, v in record.headers) else replace(record, headers=_text_headers(record))
        for record in records
    )
    message = await original_parser(readable)
    message.raw_message = records
    return message


async def _keep_records(message: Any, original_decoder: Any) -> None:
    """Skip FastStream's body decoding: `TransactionalBatchConsumer` decodes each CloudEvent itself."""
    return None


def _text_headers(record: Any) -> list[tuple[str, bytes]]:
    return [(name, value) for name, value in record.headers if _is_text(value)]


def _is_text(value: bytes | None) -> bool:
    if value is None:
        return False
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return True
