"""Dead letters for the operations team: list them, look at one, send it back where it came from.

A replay puts the original record — key, body, headers without the `dlq_*` ones — back on its
origin topic. The consumer treats it as new (it skips only a redelivery of the same offset), so a
message that failed for a reason since fixed now goes through, and one that still fails comes
back here with its reason.
"""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from platform_plumbing.dead_letters import ORIGIN_TOPIC
from platform_plumbing.kafka_clients import KafkaAccess, producer_for
from services.operations.kafka_views import dead_letter_topic, read_records


async def dead_letters(kafka: KafkaAccess, prefix: str = "") -> list[ConsumerRecord]:
    return [record async for record in read_records(kafka, dead_letter_topic(prefix), follow=False)]


async def replay(kafka: KafkaAccess, letters: list[ConsumerRecord]) -> list[tuple[str, int]]:
    """Send each dead letter back to its origin topic; return (topic, partition) of each replay."""
    producer = producer_for(kafka, client_id="diversion-dlq-replay")
    await producer.start()
    try:
        sent = []
        for letter in letters:
            headers = dict(letter.headers)
            origin = headers[ORIGIN_TOPIC].decode()
            original = [(name, value) for name, value in letter.headers if not name.startswith("dlq_")]
            metadata = await producer.send_and_wait(origin, value=letter.value, key=letter.key, headers=original)
            sent.append((origin, metadata.partition))
        return sent
    finally:
        await producer.stop()
