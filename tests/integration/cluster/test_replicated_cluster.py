"""The 3-broker KRaft cluster: records written with acks=all survive the loss of a broker.

Always runs on the local stack's cluster (it must be able to SIGKILL a broker), whatever
Kafka the rest of the suite uses (the `cluster` fixture).
"""

from __future__ import annotations

import uuid

import pytest

from deploy.local_stack import kafka
from deploy.local_stack.processes import delete_prefixed_topics
from platform_plumbing.kafka_clients import KafkaAccess, admin_for, producer_for
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import CASES
from tests.kafka_tools import eventually, read_topic

pytestmark = pytest.mark.cluster


async def leader_of_partition_zero(admin_access: KafkaAccess, topic: str) -> int:
    admin = admin_for(admin_access)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        partition = next(p for p in described["partitions"] if p["partition"] == 0)
        assert len(partition["replicas"]) == 3
        return partition["leader"]
    finally:
        await admin.close()


async def _leader_other_than(victim: int, admin: KafkaAccess, topic: str) -> int | None:
    leader = await leader_of_partition_zero(admin, topic)
    return leader if leader != victim else None


async def produce_numbers(admin: KafkaAccess, topic: str, numbers: range) -> None:
    producer = producer_for(admin, request_timeout_ms=20_000)
    await producer.start()
    try:
        for n in numbers:
            await producer.send_and_wait(topic, str(n).encode(), key=b"case", partition=0)
    finally:
        await producer.stop()


async def test_acks_all_records_survive_a_killed_broker(cluster):
    prefix = f"t{uuid.uuid4().hex[:8]}."
    topic = prefix + CASES.name
    admin = kafka.logins(cluster).admin  # the cluster's own administrator (TLS, SCRAM) writes and reads here
    await ensure_topics(admin, [CASES], prefix=prefix)
    await produce_numbers(admin, topic, range(0, 100))

    victim = await leader_of_partition_zero(admin, topic)
    kafka.stop_node(cluster, victim, hard=True)
    try:
        await produce_numbers(admin, topic, range(100, 200))
        # a broker that answers may still hold metadata from before the election: ask until it has caught up
        new_leader = await eventually(lambda: _leader_other_than(victim, admin, topic), timeout=30)
        survivors = await read_topic(admin, topic, at_least=200, timeout=60)
    finally:
        kafka.start_node(cluster, victim)
        await delete_prefixed_topics(admin, prefix)

    assert new_leader not in (None, victim)
    assert [int(r.value) for r in survivors] == list(range(200))
