"""The dashboard's page is gathered from eleven parts; one that hangs (Kafka's admin calls while a broker is
away have no timeout of their own) shows as unavailable instead of holding up the whole page."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from services.operations import overview


async def test_a_part_that_hangs_shows_as_unavailable_and_the_rest_is_shown(monkeypatch):
    async def hangs(_kafka, _prefix):
        await asyncio.sleep(3600)

    async def counts(_kafka, _prefix):
        return [{"group": "compliance", "lag": 0}]

    async def nothing(_kafka, _prefix):
        return {"count": 0, "latest": []}

    async def answered(_http, url, headers=None, **params):
        return {"url": url, **params}

    monkeypatch.setattr(overview, "_flow", hangs)
    monkeypatch.setattr(overview, "_lag", counts)
    monkeypatch.setattr(overview, "_dead_letters", nothing)
    monkeypatch.setattr(overview, "_get", answered)
    settings = SimpleNamespace(
        router_api_key="r", router_url="http://router", agency_api_url="http://compliance", topic_prefix=""
    )

    page = await asyncio.wait_for(overview.overview(settings, None, operations_key="k", part_seconds=0.2), timeout=5)

    assert page["flow"] == {"unavailable": "TimeoutError"}
    assert page["lag"] == [{"group": "compliance", "lag": 0}]
    assert page["breaches"] == {"url": "http://compliance/v1/reports/breaches"}
