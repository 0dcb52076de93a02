"""Hostile records on a running intake, as a stranger with a Kafka client would send them: each is
dead-lettered exactly once, nothing is sent twice, and decisions sent afterwards go through."""

from __future__ import annotations

import asyncio
import uuid

from benchmarks.load import decision_record
from schemas.topics import CASES, DEAD_LETTERS, DECISIONS
from tests.kafka_tools import eventually, produce, read_topic


async def test_hostile_records_are_each_dead_lettered_once_and_what_follows_goes_through(settings, start_service):
    intake, _ = await start_service("intake")
    template = decision_record("13YE9000000", "hostile-subject-1")
    replaced = lambda name, new: [(n, new if n == name else v) for n, v in template.headers]  # noqa: E731
    hostile = [
        (template.key, replaced("ce_type", b"\xff\xfe\xfa"), template.value),
        (template.key, replaced("ce_id", uuid.uuid4().hex.encode() * 190), template.value),
        (template.key, replaced("ce_type", b"uk.police.diversion.rumour.v1"), template.value),
    ]
    good = decision_record("13YE9000001", "hostile-subject-2")

    await produce(
        settings.kafka,
        settings.topic(DECISIONS.named("west-yorkshire")),
        [*hostile, (good.key, good.headers, good.value)],
    )

    opened = await eventually(lambda: _read(settings, CASES.name, at_least=1), timeout=60)
    await asyncio.sleep(5)  # a relay stuck on the dead letters would have sent them again by now
    dead = await _read(settings, DEAD_LETTERS.name, at_least=3)
    cases = await _read(settings, CASES.name, at_least=1)
    assert len(dead) == 3, "each hostile record dead-lettered once, never re-sent"
    assert len(cases) == len(opened) == 1, "the good decision opened its case once"
    assert {dict(r.headers)["dlq_error_class"] for r in dead} == {b"InvalidEnvelope"}
    metrics = await _metrics(intake.url)
    published = [line for line in metrics.splitlines() if line.startswith("diversion_events_published_total{")]
    assert all('type="other"' in line or 'type="uk.police.diversion.' in line for line in published), published


async def _read(settings, topic: str, *, at_least: int):
    return await read_topic(settings.kafka, settings.topic(topic), at_least=at_least, timeout=5)


async def _metrics(url: str) -> str:
    import httpx

    async with httpx.AsyncClient() as http:
        return (await http.get(f"{url}/metrics/")).text
