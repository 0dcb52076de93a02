"""The 3-broker KRaft cluster: records written with acks=all survive the loss of a broker.

Always runs on the local stack's cluster (it must be able to SIGKILL a broker), whatever
Kafka the rest of the suite uses (the `cluster` fixture).
"""

from __future__ import annotations

import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from deploy.local_stack import kafka
from platform_plumbing.kafka_clients import producer_for
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import CASES
from tests.kafka_tools import eventually, read_topic

pytestmark = pytest.mark.cluster


async def leader_of_partition_zero(bootstrap: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        partition = next(p for p in described["partitions"] if p["partition"] == 0)
        assert len(partition["replicas"]) == 3
        return partition["leader"]
    finally:
        await admin.close()


async def _leader_other_than(victim: int, bootstrap: str, topic: str) -> int | None:
    leader = await leader_of_partition_zero(bootstrap, topic)
    return leader if leader != victim else None


async def produce_numbers(bootstrap: str, topic: str, numbers: range) -> None:
    producer = producer_for(bootstrap, request_timeout_ms=20_000)
    await producer.start()
    try:
        for n in numbers:
            await producer.send_and_wait(topic, str(n).encode(), key=b"case", partition=0)
    finally:
        await producer.stop()


async def test_acks_all_records_survive_a_killed_broker(cluster):
    prefix = f"t{uuid.uuid4().hex[:8]}."
    topic = prefix + CASES.name
    bootstrap = cluster.bootstrap_servers
    await ensure_topics(bootstrap, [CASES], prefix=prefix)
    await produce_numbers(bootstrap, topic, range(0, 100))

    victim = await leader_of_partition_zero(bootstrap, topic)
    kafka.stop_node(cluster, victim, hard=True)
    try:
        await produce_numbers(bootstrap, topic, range(100, 200))
        # a broker that answers may still hold metadata from before the election: ask until it has caught up
        new_leader = await eventually(lambda: _leader_other_than(victim, bootstrap, topic), timeout=30)
        survivors = await read_topic(bootstrap, topic, at_least=200, timeout=60)
    finally:
        kafka.start_node(cluster, victim)

    assert new_leader not in (None, victim)
    assert [int(r.value) for r in survivors] == list(range(200))
