"""Two router replicas in one consumer group: every case routed once, never a referral issued twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka.structs import ConsumerRecord

from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.transactional_consumer import Batch, IncomingEvent
from schemas.envelope import decode, encode
from schemas.topics import CASES
from services.referral_router.adapters.router_batch import CapacityMovedMeanwhile
from services.referral_router.bootstrap import create_app
from services.referral_router.entrypoints.kafka_events import HEARD, batch_loader, event_handler
from tests.integration.referral_router.conftest import router_settings


async def test_two_replicas_never_double_issue(router, as_service, namespace, catalogue_file):
    second = create_app(router_settings(as_service, namespace, catalogue_file), clock=router.clock)
    async with second.router.lifespan_context(second):
        for n in range(30):
            await router.open_case(("housing", "medium"), ("alcohol_misuse", "low"), age_at_offence=20 + n)

        per_case = await router.pool.fetch("SELECT case_id, count(*) AS n FROM referrals GROUP BY case_id")
        assert len(per_case) == 30 and {row["n"] for row in per_case} == {2}
        issued = [p for t, p in await router.published() if t.endswith("referral.issued.v1")]
        assert len(issued) == 60 and len({p.referral_id for p in issued}) == 60


async def test_two_replicas_taking_an_agencys_last_place_at_once_never_both_issue(router, catalogue_file):
    """Both batches read the women's programme's one free place; the first to write locks its counter, the second
    waits for it, finds the load moved, and is refused — its retry queues the referral instead."""
    catalogue_file.write_text(catalogue_file.read_text().replace("capacity: 30\n", "capacity: 1\n", 1))
    assert await router.app.state.context.catalogue.reload_if_changed(router.pool, router.clock)
    first, second = (
        _incoming(router, router.case_opened(("women_specific_support", "medium"), sex="female")) for _ in range(2)
    )
    handle, load = event_handler(router.app.state.context), batch_loader(router.app.state.context)

    async def applied(connection, event) -> Batch:
        batch = Batch(connection, PendingWrites(), await load(connection, [event]))
        await handle(batch, event)
        return batch

    async with router.pool.acquire() as one, router.pool.acquire() as other:
        first_transaction, second_transaction = one.transaction(), other.transaction()
        await first_transaction.start()
        await second_transaction.start()
        first_batch, second_batch = await applied(one, first), await applied(other, second)
        await first_batch.writes.flush(one)
        writing_second = asyncio.create_task(second_batch.writes.flush(other))
        await asyncio.sleep(0.5)
        assert not writing_second.done(), "the second waits for the counter the first holds"
        await first_transaction.commit()
        with pytest.raises(CapacityMovedMeanwhile):
            await writing_second
        await second_transaction.rollback()
        async with other.transaction():
            await (await applied(other, second)).writes.flush(other)

    statuses = await router.pool.fetch(
        "SELECT status FROM referrals WHERE agency_id = 'brighter-tomorrows' ORDER BY created_at"
    )
    assert [row["status"] for row in statuses] == ["issued", "queued"]
    assert await router.pool.fetchval("SELECT active FROM agency_load WHERE agency_id = 'brighter-tomorrows'") == 1


async def test_two_replicas_placing_at_an_agency_with_room_for_both_wait_only_for_the_check(router):
    """Both batches read the same load and place at the same agency; the second's load moved under it, but
    the agency still has room, so it is not refused and both referrals are issued."""
    first, second = (
        _incoming(router, router.case_opened(("women_specific_support", "medium"), sex="female")) for _ in range(2)
    )
    handle, load = event_handler(router.app.state.context), batch_loader(router.app.state.context)
    async with router.pool.acquire() as one, router.pool.acquire() as other:
        first_transaction, second_transaction = one.transaction(), other.transaction()
        await first_transaction.start()
        await second_transaction.start()
        first_batch = Batch(one, PendingWrites(), await load(one, [first]))
        second_batch = Batch(other, PendingWrites(), await load(other, [second]))
        await handle(first_batch, first)
        await handle(second_batch, second)
        await first_batch.writes.flush(one)
        writing_second = asyncio.create_task(second_batch.writes.flush(other))
        await asyncio.sleep(0.5)
        assert not writing_second.done(), "the second waits for the counter the first holds"
        await first_transaction.commit()
        await writing_second
        await second_transaction.commit()

    statuses = await router.pool.fetch("SELECT status FROM referrals WHERE agency_id = 'brighter-tomorrows'")
    assert [row["status"] for row in statuses] == ["issued", "issued"]
    assert await router.pool.fetchval("SELECT active FROM agency_load WHERE agency_id = 'brighter-tomorrows'") == 2


def _incoming(router, event) -> IncomingEvent:
    encoded = encode(event, event_id=str(uuid.uuid4()), source="/tests", time=datetime.now(UTC), key=str(event.case_id))
    record = ConsumerRecord(
        router.settings.topic(CASES.name), 0, 0, 0, 0, encoded.key, encoded.value, None, 0, 0, encoded.headers
    )
    return IncomingEvent(*decode(record.headers, record.value, HEARD), record)
