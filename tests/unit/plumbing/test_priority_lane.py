"""What a priority lane does with each record it reads, on plain objects: it parses only the types it expedites,
and whatever it cannot apply — unreadable, refused, failing — it leaves to the service's consumer, counted, without
raising (the consumer behind it is the guarantee). Its run against the real broker and database is in
tests/integration/compliance/test_concern_lane.py."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime

from aiokafka.structs import ConsumerRecord

from platform_plumbing.kafka_clients import KafkaAccess
from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.priority_lane import PriorityLane
from schemas.commands import CaseworkerAssigned, ConcernRaised
from schemas.envelope import encode

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
IDS = {"case_id": uuid.uuid4(), "referral_id": uuid.uuid4(), "agency_id": "brighter-tomorrows", "occurred_at": AT}
CONCERN = ConcernRaised(**IDS, concern_id=uuid.uuid4(), kind="risk_to_self", urgency="immediate", details="Said so.")


def record(message, *, value: bytes | None = None) -> ConsumerRecord:
    encoded = encode(message, event_id=str(uuid.uuid4()), source="/tests", time=AT, key=str(IDS["case_id"]))
    body = encoded.value if value is None else value
    return ConsumerRecord("t", 0, 0, 0, 0, encoded.key, body, None, len(body), 0, list(encoded.headers))


class FakePool:
    """A pool whose transaction does nothing: what the lane writes around the service's function is not the point."""

    @contextlib.asynccontextmanager
    async def acquire(self):
        yield self

    def transaction(self):
        return contextlib.AsyncExitStack()


class Lane:
    def __init__(self, outcome=True, max_record_bytes: int = 100_000) -> None:
        self.given: list = []
        self.metrics = ServiceMetrics("compliance")

        async def expedite(_connection, _writes, event):
            self.given.append(event.payload)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        self.lane = PriorityLane(
            KafkaAccess("localhost:1", "compliance", "unused", "/nonexistent/ca.pem"),
            name="concerns",
            pattern="^t$",
            group_id="compliance.concerns",
            types={ConcernRaised.command_type: ConcernRaised},
            expedite=expedite,
            max_record_bytes=max_record_bytes,
            metrics=self.metrics,
        )
        self.lane.bind(FakePool(), None)

    def counted(self, outcome: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "diversion_expedited_total", {"service": "compliance", "lane": "concerns", "outcome": outcome}
        )
        return value or 0.0


async def test_a_concern_is_expedited_and_counted():
    lane = Lane()
    assert await lane.lane.take(record(CONCERN)) is True
    assert lane.given == [CONCERN] and lane.counted("applied") == 1


async def test_one_kept_already_is_counted_as_known():
    lane = Lane(outcome=False)
    assert await lane.lane.take(record(CONCERN)) is False
    assert lane.counted("known") == 1


async def test_other_types_are_not_even_parsed():
    lane = Lane()
    assert await lane.lane.take(record(CaseworkerAssigned(**IDS, caseworker="Ash"))) is False
    assert lane.given == [] and lane.counted("left") == 0


async def test_an_unreadable_or_oversized_concern_is_left_to_the_consumer():
    lane = Lane(max_record_bytes=2_000)
    assert await lane.lane.take(record(CONCERN, value=b"[" * 1_000)) is False
    assert await lane.lane.take(record(CONCERN, value=b" " * 5_000)) is False
    assert lane.given == [] and lane.counted("left") == 1, "the oversized one is not read at all"


async def test_whatever_applying_raises_is_left_to_the_consumer_not_raised():
    lane = Lane(outcome=LookupError("no such referral yet"))
    assert await lane.lane.take(record(CONCERN)) is False
    assert lane.counted("left") == 1
