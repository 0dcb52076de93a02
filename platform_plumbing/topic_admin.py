"""Creates the catalogue's topics on the broker (auto-create is off, so this is the only way in)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import NewTopic
from aiokafka.errors import KafkaError

from platform_plumbing.kafka_clients import KafkaAccess, admin_for
from schemas.topics import Directory, Topic

TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(
    kafka: KafkaAccess, topics: Iterable[Topic], *, directory: Directory = Directory(), prefix: str = ""
) -> list[str]:
    """Create every missing topic — a topic for everyone as `prefix + topic.name`, a topic per party for each
    of `directory`'s forces or agencies — and return the names it created.

    Replication is capped at the number of brokers, so the same catalogue serves a one-node
    development broker and a three-node cluster; `min.insync.replicas` follows (2 of 3, else 1).
    Only a principal allowed to create the topics may (an administrator, or compliance for agency topics).
    """
    admin = admin_for(kafka, client_id="diversion-topic-admin")
    await admin.start()
    try:
        brokers = len((await admin.describe_cluster())["brokers"])
        existing = set(await admin.list_topics())
        missing = []
        wanted = [(topic, prefix + name) for topic in topics for name in topic.names(directory)]
        for topic, name in wanted:
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
