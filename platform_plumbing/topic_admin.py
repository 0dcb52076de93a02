"""Creates the catalogue's topics on the broker (auto-create is off, so this is the only way in)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from schemas.topics import Topic

TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(bootstrap_servers: str, topics: Iterable[Topic], *, prefix: str = "") -> list[str]:
    """Create every missing topic (named `prefix + topic.name`); return the names it created.

    Replication is capped at the number of brokers, so the same catalogue serves a one-node
    development broker and a three-node cluster; `min.insync.replicas` follows (2 of 3, else 1).
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="diversion-topic-admin")
    await admin.start()
    try:
        brokers = len((await admin.describe_cluster())["brokers"])
        existing = set(await admin.list_topics())
        missing = []
        for topic in topics:
            name = prefix + topic.name
            if name in existing:
                continue
            replication = min(topic.replication_factor, brokers)
            missing.append(
                NewTopic(
                    name=name,
                    num_partitions=topic.partitions,
                    replication_factor=replication,
                    topic_configs=topic.config(min_insync_replicas=2 if replication >= 3 else 1),
                )
            )
        if not missing:
            return []
        response = await admin.create_topics(missing)
        created = []
        for name, code, *_ in response.topic_errors:
            if code == 0:
                created.append(name)
            elif code != TOPIC_ALREADY_EXISTS:  # another process created it since we listed: fine
                raise KafkaError(f"could not create topic {name}: Kafka error code {code}")
        return created
    finally:
        await admin.close()
