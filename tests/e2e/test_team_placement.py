"""A need no agency could take, placed by hand from the diversion team's workspace with a reason, with every service a
real process (issue 25): the page hands the decision to the router, which owns every placement; an agency that
cannot take the need whoever decides is refused on the page with the router's reason; the agency chosen gets the
referral (its explanation names who placed it and why), compliance cancels the unmatched one, and the need leaves
the team's queue."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from schemas.commands import DiversionDecision
from tests.browser import CHROMIUM, NO_CHROMIUM, checked, chromium, sign_in
from tests.e2e.conftest import person_account, police_key, router_key
from tests.factories import letter_condition_payload, payload
from tests.kafka_tools import eventually

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
REFERENCE = "13YE0777002"
TEAM_MEMBER = "sam.duty@cambs-police.example"


async def test_the_team_places_a_need_no_agency_could_take_from_the_workspace(settings, start_service):
    intake, intake_schema = await start_service("intake")
    router, router_schema = await start_service("router")
    police = await police_key(settings.database_url, intake_schema)
    routing = await router_key(settings.database_url, router_schema)
    gateway, compliance_schema = await start_service("compliance", ROUTER_URL=router.url, ROUTER_API_KEY=routing)
    in_cambridge = payload(
        DiversionDecision,
        police_reference=REFERENCE,
        area="cambridge",  # the women's programme covers Peterborough only: nobody can take it automatically
        needs=[{"category": "women_specific_support", "severity": "medium"}],
        conditions=[letter_condition_payload()],
    )
    async with httpx.AsyncClient(base_url=intake.url, headers={"X-API-Key": police}, timeout=15) as officer:
        answer = await officer.post("/v1/decisions", json=in_cambridge)
        assert answer.status_code in (200, 201), answer.text
    password = await person_account(settings.database_url, compliance_schema, TEAM_MEMBER, "diversion_team")
    compliance = await asyncpg.connect(settings.database_url, server_settings={"search_path": compliance_schema})
    try:

        async def unmatched() -> bool:
            return await compliance.fetch("SELECT agency_id, status FROM referrals")

        assert [tuple(row) for row in await eventually(unmatched, timeout=60)] == [(None, "unmatched")]

        async with chromium() as browser:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await sign_in(page, gateway.url, TEAM_MEMBER, password)
            await page.locator("section:has(#unplaced)").get_by_role("link", name=REFERENCE).click()
            await page.get_by_role("heading", name="Place needs no agency could take").wait_for()

            await page.get_by_label("Agency", exact=True).select_option("housing-advice")
            await page.get_by_label("Why this agency").fill("They have a worker in Cambridge.")
            await page.get_by_role("button", name="Place with this agency").click()
            alert = page.get_by_role("alert")
            await alert.get_by_text("does not serve women specific support").wait_for()  # the router's reason
            await checked(page, "team-placement-refused")

            await page.get_by_label("Agency", exact=True).select_option("brighter-tomorrows")
            await page.get_by_label("Why this agency").fill("Outside Links agreed by phone to see her in Cambridge.")
            await page.get_by_role("button", name="Place with this agency").click()
            await page.get_by_role("status").get_by_text("placed with the agency you chose").wait_for()

            async def shown() -> bool:
                await page.reload()
                return "Brighter Tomorrows women's programme" in await page.locator("main").inner_text()

            await eventually(shown, timeout=60)
            placed = page.locator("section.card", has_text="Brighter Tomorrows women's programme")
            assert "Outside Links agreed by phone" in await placed.inner_text(), "who placed it and why, on the case"
            assert await page.get_by_role("heading", name="Place needs no agency could take").count() == 0
            await checked(page, "team-placed")
            await page.goto(f"{gateway.url}/team")
            assert await page.locator("section:has(#unplaced)").get_by_role("link", name=REFERENCE).count() == 0

        statuses = await compliance.fetch("SELECT agency_id, status FROM referrals ORDER BY agency_id NULLS LAST")
        sent = await compliance.fetch("SELECT actor, detail FROM audit_log WHERE detail LIKE 'placement of%'")
    finally:
        await compliance.close()
    assert [(row["agency_id"], row["status"]) for row in statuses] == [
        ("brighter-tomorrows", "issued"),
        (None, "cancelled"),
    ]
    assert [row["actor"] for row in sent] == [f"diversion_team/{TEAM_MEMBER}"]

    routed = await asyncpg.connect(settings.database_url, server_settings={"search_path": router_schema})
    try:
        placed = await routed.fetch("SELECT actor, recipient FROM audit_log WHERE action = 'alteration'")
        explanation = await routed.fetchval("SELECT explanation FROM referrals WHERE agency_id = 'brighter-tomorrows'")
    finally:
        await routed.close()
    assert [tuple(row) for row in placed] == [(f"diversion_team/{TEAM_MEMBER}", "brighter-tomorrows")]
    assert "by Sam Duty (diversion team): Outside Links agreed by phone" in explanation
