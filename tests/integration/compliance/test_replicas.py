"""Two replicas working on the same case at the same moment: a referral one of them holds because its case
is not there yet must be released by the other, which is opening that case right then."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from aiokafka.structs import ConsumerRecord

from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.transactional_consumer import Batch, IncomingEvent
from schemas.envelope import decode, encode
from schemas.topics import CASES, REFERRALS
from services.compliance.entrypoints.kafka_events import HEARD, batch_loader, event_handler


def incoming(compliance, topic: str, event) -> IncomingEvent:
    """`event` as it comes off `topic`, through the same decoding the consumer does."""
    encoded = encode(event, event_id=str(uuid.uuid4()), source="/tests", time=datetime.now(UTC), key=str(event.case_id))
    record = ConsumerRecord(
        compliance.settings.topic(topic), 0, 0, 0, 0, encoded.key, encoded.value, None, 0, 0, encoded.headers
    )
    attributes, payload = decode(record.headers, record.value, HEARD)
    return IncomingEvent(attributes, payload, record)


async def test_a_referral_held_while_another_replica_opens_its_case_is_released(compliance):
    case = await compliance.open_case(
        referrals={"substance-misuse-treatment": ["alcohol_misuse"]}, send_case=False, send_referrals=False
    )
    handle = event_handler(compliance.app.state.context)
    load = batch_loader(compliance.app.state.context)
    referral = incoming(compliance, REFERRALS.name, case.issued[0])
    opened = incoming(compliance, CASES.name, case.opened)
    async with compliance.pool.acquire() as first, compliance.pool.acquire() as second:
        holding = first.transaction()
        await holding.start()
        loaded = await load(first, [referral])
        holder = Batch(first, PendingWrites(), loaded)
        await handle(holder, referral)  # its case is unknown to this transaction: held
        await holder.writes.flush(first)

        async def open_case() -> None:
            async with second.transaction():
                batch = Batch(second, PendingWrites(), await load(second, [opened]))
                await handle(batch, opened)
                await batch.writes.flush(second)

        opening = asyncio.create_task(open_case())
        await asyncio.sleep(0.5)  # the other replica is now opening the case while the hold is uncommitted
        await holding.commit()
        await opening

    assert await compliance.pool.fetchval("SELECT count(*) FROM held_events") == 0
    assert (
        await compliance.pool.fetchval(
            "SELECT status FROM referrals WHERE referral_id = $1", case.referrals["substance-misuse-treatment"]
        )
        == "issued"
    )
