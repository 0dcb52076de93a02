"""The router's operations API: a key of the router's own is needed, and reading the needs waiting for a
place (which names cases) is a consultation in the router's audit trail."""

from __future__ import annotations

import httpx

from platform_plumbing.api_keys import issue_key
from platform_plumbing.clock import SystemClock
from services.referral_router.adapters.operations_clients import OperationsClient, add_client


async def test_the_operations_api_needs_a_key_and_unplaced_reads_are_audited(router):
    async with router.pool.acquire() as connection:
        assert await add_client(connection, OperationsClient("ops", "operations"), now=SystemClock().now())
        key = (await issue_key(connection, "ops", now=SystemClock().now())).api_key
    transport = httpx.ASGITransport(app=router.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        anonymous = [(await http.get(path)).status_code for path in ("/v1/agencies", "/v1/unplaced")]
        agencies = await http.get("/v1/agencies", headers={"X-API-Key": key})
        unplaced = await http.get("/v1/unplaced", headers={"X-API-Key": key})

    assert anonymous == [401, 401]
    assert agencies.status_code == 200 and agencies.json()
    assert unplaced.status_code == 200
    reads = await router.pool.fetch(
        "SELECT actor, action, purpose, detail FROM audit_log WHERE action = 'consultation'"
    )
    assert [tuple(row) for row in reads] == [("ops", "consultation", "operations_support", "unplaced needs")]
