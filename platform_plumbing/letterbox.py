"""Topics a service empties as it reads them: a letterbox, not an archive.

A force's decisions topic carries what its police system wrote, the person's details in clear (intake
seals them only once it has read them). Kafka would keep those records for the topic's whole retention,
out of reach of any erasure. So intake deletes every record it has processed: each few seconds it asks
the broker to delete, on each partition, everything before its group's committed offset (Kafka's
DeleteRecords; intake's principal holds DELETE on those topics and nothing else does). A record not yet
processed is never deleted; one processed is gone from the broker within seconds.
"""

from __future__ import annotations

import asyncio
import logging
import re

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.records_to_delete import RecordsToDelete
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition

logger = logging.getLogger(__name__)


class Letterbox:
    def __init__(self, admin: AIOKafkaAdminClient, group_id: str, pattern: str) -> None:
        self._admin = admin
        self._group_id = group_id
        self._pattern = re.compile(pattern)
        self._emptied: dict[TopicPartition, int] = {}

    async def empty(self) -> int:
        """Delete what the group has processed since the last call; returns how many partitions moved."""
        committed = await self._admin.list_consumer_group_offsets(self._group_id)
        due = {
            partition: RecordsToDelete(before_offset=meta.offset)
            for partition, meta in committed.items()
            if self._pattern.match(partition.topic) and meta.offset > self._emptied.get(partition, 0)
        }
        if due:
            await self._admin.delete_records(due)
            self._emptied.update({partition: order.before_offset for partition, order in due.items()})
        return len(due)

    async def empty_forever(self, every_seconds: float) -> None:
        while True:
            try:
                await self.empty()
            except KafkaError as error:
                logger.warning("emptying the letterbox topics failed, will retry: %s", type(error).__name__)
            await asyncio.sleep(every_seconds)
