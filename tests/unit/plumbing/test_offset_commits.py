"""Offsets are committed in the background, one commit at a time, and only ever move forward."""

from __future__ import annotations

import asyncio

from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError
from aiokafka.structs import ConsumerRecord

from platform_plumbing.subscriptions import OffsetCommits

A, B = TopicPartition("cases", 0), TopicPartition("cases", 1)


class SlowConsumer:
    """Records what it is asked to commit; each commit waits until the test lets it through."""

    def __init__(self, fail_first: bool = False) -> None:
        self.commits: list[dict[TopicPartition, int]] = []
        self.let_through = asyncio.Event()
        self.fail_first = fail_first

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))
        await self.let_through.wait()
        if self.fail_first and len(self.commits) == 1:
            raise CommitFailedError("rebalanced")


def records(partition: TopicPartition, *offsets: int) -> list[ConsumerRecord]:
    return [ConsumerRecord(partition.topic, partition.partition, o, 0, 0, b"", b"", None, 0, 0, []) for o in offsets]


async def settle(consumer: SlowConsumer) -> None:
    consumer.let_through.set()
    for _ in range(10):
        await asyncio.sleep(0)


async def test_batches_processed_while_a_commit_travels_are_folded_into_the_next_commit():
    consumer, offsets = SlowConsumer(), OffsetCommits()

    offsets.processed(consumer, records(A, 0, 1))
    await asyncio.sleep(0)
    offsets.processed(consumer, records(A, 2, 3))
    offsets.processed(consumer, records(B, 7))
    offsets.processed(consumer, records(A, 4))
    await settle(consumer)

    assert consumer.commits == [{A: 2}, {A: 5, B: 8}], "the offset after each partition's last processed record"


async def test_a_commit_refused_after_a_rebalance_does_not_stop_the_next_one():
    consumer, offsets = SlowConsumer(fail_first=True), OffsetCommits()

    offsets.processed(consumer, records(A, 0))
    await asyncio.sleep(0)
    offsets.processed(consumer, records(A, 1))
    await settle(consumer)

    assert consumer.commits == [{A: 1}, {A: 2}]
