"""The dashboard's Kafka views on the real broker, on connections it keeps open between refreshes: each answer is
today's (new records are seen on the same connections), and the latest dead letters are the newest by time
across partitions, however many the topic holds."""

from __future__ import annotations

from types import SimpleNamespace

from aiokafka import AIOKafkaProducer

from schemas.events import CaseOpened
from schemas.topics import CASES, DEAD_LETTERS
from services.operations.kafka_views import KafkaViews
from services.operations.overview import overview_once
from tests.factories import example
from tests.kafka_tools import cloud_event, produce

EPOCH_MS = 1_790_000_000_000


async def _letters(kafka, topic: str, labels: range) -> None:
    """One record per label, spread over the topic's three partitions, stamped `label` seconds after an epoch so
    that time, not partition or offset, orders them."""
    producer = AIOKafkaProducer(**kafka.client_options(), acks="all")
    await producer.start()
    try:
        for label in labels:
            await producer.send_and_wait(
                topic, value=str(label).encode(), partition=label % 3, timestamp_ms=EPOCH_MS + label * 1000
            )
    finally:
        await producer.stop()


async def test_one_set_of_connections_answers_refresh_after_refresh_with_what_is_there_now(settings, topics):
    dead_letters = settings.topic(DEAD_LETTERS.name)
    async with KafkaViews(settings.kafka, settings.topic_prefix) as views:
        assert await views.latest(dead_letters, 10) == (0, [])

        await _letters(settings.kafka, dead_letters, range(15))
        held, latest = await views.latest(dead_letters, 10)
        assert held == 15
        assert [int(record.value) for record in latest] == list(range(14, 4, -1))

        await produce(settings.kafka, settings.topic(CASES.name), [cloud_event(example(CaseOpened))] * 2)
        await _letters(settings.kafka, dead_letters, range(15, 17))
        held, latest = await views.latest(dead_letters, 3)
        counts = {count.name: count.messages for count in await views.topic_counts()}

    assert held == 17
    assert [int(record.value) for record in latest] == [16, 15, 14]
    assert counts[settings.topic(CASES.name)] == 2
    assert counts[dead_letters] == 17


async def test_closed_views_open_again_when_asked(settings, topics):
    """The dashboard closes its views when it stops; a view closed (or never opened) opens on the next question."""
    views = KafkaViews(settings.kafka, settings.topic_prefix)
    await views.close()
    await produce(settings.kafka, settings.topic(CASES.name), [cloud_event(example(CaseOpened))])

    counts = {count.name: count.messages for count in await views.topic_counts()}
    await views.close()

    assert counts[settings.topic(CASES.name)] == 1


async def test_the_demos_one_off_page_counts_the_topics_and_marks_a_service_that_does_not_answer(settings, topics):
    """`make demo` prints the page once on connections of its own (it once called the dashboard's signature and
    failed before checking the books)."""
    await produce(settings.kafka, settings.topic(CASES.name), [cloud_event(example(CaseOpened))])
    nowhere = "http://127.0.0.1:9"
    where = SimpleNamespace(
        kafka=settings.kafka,
        topic_prefix=settings.topic_prefix,
        router_url=nowhere,
        router_api_key="r",
        agency_api_url=nowhere,
    )

    page = await overview_once(where, operations_key="k")

    assert {"topic": CASES.name, "messages": 1} in page["flow"]
    assert page["dead_letters"] == {"count": 0, "latest": []}
    assert page["breaches"] == {"unavailable": "ConnectError"}
