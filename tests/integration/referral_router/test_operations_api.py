"""The router's operations API: a key of the router's own is needed; reading the needs waiting for a place (which
names cases) is a consultation in the router's audit trail; placing one by hand is an alteration under the name of
the person who decided."""

from __future__ import annotations

import uuid

import httpx

from platform_plumbing.api_keys import issue_key
from platform_plumbing.clock import SystemClock
from services.referral_router.adapters.operations_clients import OperationsClient, add_client

NOW = SystemClock().now


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


async def test_the_diversion_team_places_an_unmatched_need_by_hand_once_and_only_where_the_rules_allow(router):
    async with router.pool.acquire() as connection:
        await add_client(connection, OperationsClient("workspace", "the diversion team's workspace"), now=NOW())
        key = (await issue_key(connection, "workspace", now=NOW())).api_key
    case = await router.open_case(("women_specific_support", "medium"), sex="female", area="cambridge")
    ((_, unmatched),) = await router.published(case)
    decision = {
        "reason": "Outside Links agreed to see her in Cambridge",
        "placed_by": "Jo Duty (diversion team)",
        "actor": "diversion_team/jo@police.example",
    }
    path = f"/v1/unplaced/{unmatched.referral_id}/placement"
    transport = httpx.ASGITransport(app=router.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router", headers={"X-API-Key": key}) as http:
        anonymous = await http.post(
            path, json={**decision, "agency_id": "brighter-tomorrows"}, headers={"X-API-Key": ""}
        )
        unknown_agency = await http.post(path, json={**decision, "agency_id": "no-such-agency"})
        wrong_agency = await http.post(path, json={**decision, "agency_id": "housing-advice"})
        unknown = await http.post(f"/v1/unplaced/{uuid.uuid4()}/placement", json={**decision, "agency_id": "food-bank"})
        placed = await http.post(path, json={**decision, "agency_id": "brighter-tomorrows"})
        again = await http.post(path, json={**decision, "agency_id": "brighter-tomorrows"})

    assert anonymous.status_code == 401
    assert (unknown_agency.status_code, unknown_agency.json()["fields"][0]["field"]) == (422, "agency_id")
    assert wrong_agency.status_code == 422
    assert "does not serve women specific support" in wrong_agency.json()["message"]
    assert unknown.status_code == 404
    assert placed.status_code == 201, placed.text
    assert again.status_code == 409, "a second submission places nothing"
    (issued,) = await router.issued(case)
    assert (issued.referral_id, issued.agency_id) == (uuid.UUID(placed.json()["referral_id"]), "brighter-tomorrows")
    assert issued.replaces == (unmatched.referral_id,)
    assert "by Jo Duty (diversion team): Outside Links agreed" in issued.explanation
    assert "set aside: covers peterborough only" in issued.explanation
    assert router.opened(issued)["given_name"] == "Sam", "the agency is told what its entry allows, as any placement"
    audit = await router.pool.fetch("SELECT actor, recipient, detail FROM audit_log WHERE action = 'alteration'")
    assert [(row["actor"], row["recipient"]) for row in audit] == [
        ("diversion_team/jo@police.example", "brighter-tomorrows")
    ]
    assert audit[0]["detail"].endswith(f"replacing unmatched referral {unmatched.referral_id} (sent by workspace)")
