"""Creates the catalogue's topics on the broker (auto-create is off, so this is the only way in)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from schemas.topics import Topic


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
        if missing:
            await admin.create_topics(missing)
        return [new.name for new in missing]
    finally:
        await admin.close()
