"""Everything the dashboard shows, gathered in one call: the force's headline figures beside the published ones,
flow, lag, dead letters, work waiting for a place, cases awaiting a police decision, action plans awaiting the
diversion team's approval, safeguarding concerns no one has taken on yet, the police's decisions, conditions by
kind, compliance rates, the programmes as cohorts.

Each part comes from its own source (Kafka, the router, compliance); a source that does not
answer marks its part unavailable instead of failing the whole page.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import httpx

from services.operations.kafka_views import KafkaViews, dead_letter_topic, describe
from services.operations.settings import OperationsSettings

PART_SECONDS = 4.0
"""The longest one part of the page may take (Kafka's admin calls have no timeout of their own, and are slow
while a broker is away): a part that takes longer shows as unavailable instead of holding up the page."""

ONE_OFF_PART_SECONDS = 30.0
"""The same for a page gathered once on connections opened for it (`overview_once`)."""

LATEST_DEAD_LETTERS = 10


async def overview(
    settings: OperationsSettings, kafka: KafkaViews, *, operations_key: str, part_seconds: float = PART_SECONDS
) -> dict[str, Any]:
    """The whole page, asking Kafka on the dashboard's open connections, compliance with the operator's
    `operations_key` and the router with the dashboard's own router key; each part within `part_seconds`."""
    async with httpx.AsyncClient(timeout=part_seconds, headers={"X-API-Key": operations_key}) as http:
        router = {"X-API-Key": settings.router_api_key}
        parts = await asyncio.gather(
            *(
                asyncio.wait_for(part, part_seconds)
                for part in (
                    _flow(kafka, settings.topic_prefix),
                    _lag(kafka, settings.topic_prefix),
                    _dead_letters(kafka, settings.topic_prefix),
                    _get(http, f"{settings.router_url}/v1/unplaced", headers=router),
                    _get(http, f"{settings.agency_api_url}/v1/reports/breaches"),
                    _get(http, f"{settings.agency_api_url}/v1/reports/compliance", by="disposal"),
                    _get(http, f"{settings.agency_api_url}/v1/reports/compliance", by="agency"),
                    _get(http, f"{settings.agency_api_url}/v1/reports/police-decisions"),
                    _get(http, f"{settings.agency_api_url}/v1/reports/conditions"),
                    _get(http, f"{settings.agency_api_url}/v1/reports/headline"),
                    _get(http, f"{settings.agency_api_url}/v1/reports/programmes"),
                    _get(http, f"{settings.agency_api_url}/v1/action-plans"),
                    _get(http, f"{settings.agency_api_url}/v1/concerns", waiting="true"),
                )
            ),
            return_exceptions=True,
        )
    names = (
        "flow",
        "lag",
        "dead_letters",
        "unplaced",
        "breaches",
        "compliance_by_disposal",
        "compliance_by_agency",
        "police_decisions",
        "conditions",
        "headline",
        "programmes",
        "plans_awaiting",
        "concerns_waiting",
    )
    return {
        name: ({"unavailable": type(part).__name__} if isinstance(part, BaseException) else part)
        for name, part in zip(names, parts, strict=True)
    }


async def overview_once(settings: OperationsSettings, *, operations_key: str) -> dict[str, Any]:
    """The page once, on Kafka connections opened for it and closed after (the demo's summary); the dashboard keeps
    its own open. Opened on first use, so Kafka away shows as its parts unavailable, as on the dashboard. Its parts
    get `ONE_OFF_PART_SECONDS`: a dead-letter part opens three SCRAM-over-TLS clients in turn, which on a busy
    machine can take longer than a refreshing page's part may (and nothing refreshes this page)."""
    async with KafkaViews(settings.kafka, settings.topic_prefix) as kafka:
        return await overview(settings, kafka, operations_key=operations_key, part_seconds=ONE_OFF_PART_SECONDS)


async def _flow(kafka: KafkaViews, prefix: str) -> list[dict]:
    return [{"topic": c.name.removeprefix(prefix), "messages": c.messages} for c in await kafka.topic_counts()]


async def _lag(kafka: KafkaViews, prefix: str) -> list[dict]:
    totals: dict[str, int] = defaultdict(int)
    for row in await kafka.consumer_lag():
        totals[row.group.removeprefix(prefix)] += row.lag
    return [{"group": group, "lag": lag} for group, lag in sorted(totals.items())]


async def _dead_letters(kafka: KafkaViews, prefix: str) -> dict:
    count, records = await kafka.latest(dead_letter_topic(prefix), LATEST_DEAD_LETTERS)
    latest = []
    for letter in map(describe, records):
        why = letter["dead_letter"] or {}
        latest.append(
            {
                "service": why.get("service"),
                "error": why.get("error_class"),
                "reason": why.get("reason"),
                "origin": (why.get("origin_topic") or "").removeprefix(prefix),
            }
        )
    return {"count": count, "latest": latest}


async def _get(http: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None, **params: str) -> Any:
    answer = await http.get(url, params=params, headers=headers)
    answer.raise_for_status()
    return answer.json()
