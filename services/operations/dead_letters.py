"""Dead letters for the operations team: list them, look at one, ask for it to be read again.

The operations team writes no party's topic (issue 22). A replay is a `ReplayDeadLetter` request on
`diversion.replays.v1`, naming the dead letter's coordinates and the service that wrote it: that service reads
the letter from the dead-letter topic itself and applies the record as its original sender's, with the
operator named beside the sender in its audit trail (see `platform_plumbing.replays`). A record that failed for
a reason since fixed now goes through; one that still fails comes back here, with its reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from platform_plumbing.dead_letters import SERVICE
from platform_plumbing.kafka_clients import KafkaAccess, producer_for
from schemas.commands.operations import ReplayDeadLetter
from schemas.envelope import encode
from schemas.topics import REPLAYS
from services.operations.kafka_views import dead_letter_topic, read_records

SOURCE = "/diversion/operations"


async def dead_letters(kafka: KafkaAccess, prefix: str = "") -> list[ConsumerRecord]:
    return [record async for record in read_records(kafka, dead_letter_topic(prefix), follow=False)]


@dataclass(frozen=True)
class ReplayRequest:
    """What was asked of whom: the dead letter's partition and offset, and the service asked to replay it."""

    partition: int
    offset: int
    service: str | None
    """None when the letter names no service that can replay it (nothing was asked)."""


async def request_replays(
    kafka: KafkaAccess, letters: list[ConsumerRecord], *, operator: str, now: datetime, prefix: str = ""
) -> list[ReplayRequest]:
    """Ask the service that wrote each dead letter to read it again; returns what was asked of whom."""
    producer = producer_for(kafka, client_id="diversion-dlq-replay")
    await producer.start()
    try:
        asked = []
        for letter in letters:
            written_by = dict(letter.headers).get(SERVICE, b"").decode(errors="replace")
            try:
                request = ReplayDeadLetter(
                    service=written_by,
                    partition=letter.partition,
                    offset=letter.offset,
                    operator=operator,
                    requested_at=now,
                )
            except ValidationError:
                asked.append(ReplayRequest(letter.partition, letter.offset, None))
                continue
            record = encode(request, event_id=str(uuid.uuid4()), source=SOURCE, time=now, key="")
            await producer.send_and_wait(
                prefix + REPLAYS.name, value=record.value, key=letter.key or None, headers=record.headers
            )
            asked.append(ReplayRequest(letter.partition, letter.offset, request.service))
        return asked
    finally:
        await producer.stop()
