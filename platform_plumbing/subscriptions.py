"""FastStream subscribers whose offsets are committed only after the database commit.

FastStream's default policy (`ACK_FIRST`) commits in the background before the handler runs —
at most once. `ACK` commits even when the handler failed, and `NACK_ON_ERROR` loops forever on
a poison message. So our subscribers use `MANUAL`: a batch goes through
`TransactionalBatchConsumer` (one DB transaction), then `ack()` commits the consumer's position,
which is exactly the end of that batch because batches are handled one at a time. If the batch
could not be committed, `nack()` seeks every partition back to the batch's first record and the
batch is retried after a pause; poison records never reach this point, they are dead-lettered.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from aiokafka.errors import CommitFailedError, IllegalStateError
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy

from platform_plumbing.logging_setup import where_raised
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
            await message.nack()
            await asyncio.sleep(settings.retry_backoff_seconds)
            return
        try:
            await message.ack()
        except (CommitFailedError, IllegalStateError) as error:
            # The group rebalanced while we worked; the new owner redelivers and the inbox dedupes.
            logger.info("offset commit skipped after rebalance: %s", type(error).__name__)

    return handle_batch


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
