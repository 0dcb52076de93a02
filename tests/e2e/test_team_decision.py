"""A police decision after a breach, recorded by a named officer from the diversion team's workspace, with every
service a real process (issue 25): the page hands it to intake, the police's system of record, with the force's key;
intake records it and announces it; compliance hears it and the case's page shows it. A decision intake refuses is
shown on the page with intake's reasons, and nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from schemas.commands import DiversionDecision
from tests.browser import CHROMIUM, NO_CHROMIUM, checked, chromium, sign_in
from tests.e2e.conftest import person_account, police_key
from tests.factories import letter_condition_payload, payload
from tests.kafka_tools import eventually

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
REFERENCE = "13YE0777001"


async def test_an_officer_records_the_decision_on_a_breach_from_the_workspace(settings, start_service):
    intake, intake_schema = await start_service("intake")
    await start_service("router")
    police = await police_key(settings.database_url, intake_schema)
    gateway, compliance_schema = await start_service(
        "compliance", COMPLIANCE_SWEEP_SECONDS="1", INTAKE_URL=intake.url, POLICE_API_KEY=police
    )
    overdue = payload(
        DiversionDecision,
        police_reference=REFERENCE,
        decided_at=(datetime.now(UTC) - timedelta(weeks=20)).isoformat(),
        conditions=[letter_condition_payload()],
        needs=[],
    )  # the apology letter was never reported sent: the deadline passed
    async with httpx.AsyncClient(base_url=intake.url, headers={"X-API-Key": police}, timeout=15) as officer:
        assert (await officer.post("/v1/decisions", json=overdue)).status_code in (200, 201)

        async def awaiting() -> bool:
            answer = await officer.get(f"/v1/cases/{REFERENCE}")
            return answer.status_code == 200 and answer.json()["status"] == "awaiting_police_decision"

        await eventually(awaiting, timeout=60)
    password = await person_account(
        settings.database_url, compliance_schema, "jo.duty@cambs-police.example", "diversion_team"
    )

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await sign_in(page, gateway.url, "jo.duty@cambs-police.example", password)
        await page.locator("section:has(#police)").get_by_role("link", name=REFERENCE).click()
        await page.get_by_role("heading", name="Record the police decision").wait_for()

        await page.get_by_label("Decision", exact=True).select_option("no_further_action")
        await page.get_by_label("Deciding officer's collar number").fill("PC1234")
        await page.get_by_role("button", name="Record decision").click()
        await page.get_by_role("alert").get_by_text("There is a problem").wait_for()  # no reason given
        await checked(page, "team-decision-refused")

        await page.get_by_label("Decision", exact=True).select_option("no_further_action")
        await page.get_by_label("Deciding officer's collar number").fill("PC1234")
        await page.get_by_label("Reason", exact=True).fill("First breach; moved house and lost the letter.")
        await page.get_by_role("button", name="Record decision").click()
        await page.get_by_role("status").get_by_text("recorded in the police's system").wait_for()

        async def shown() -> bool:
            await page.reload()
            return "No further action" in await page.locator("main").inner_text()

        await eventually(shown, timeout=60)
        assert await page.get_by_role("heading", name="Record the police decision").count() == 0
        await checked(page, "team-decided")

    async with httpx.AsyncClient(base_url=intake.url, headers={"X-API-Key": police}, timeout=15) as officer:
        case = (await officer.get(f"/v1/cases/{REFERENCE}")).json()
    assert case["status"] != "awaiting_police_decision"
    connection = await asyncpg.connect(settings.database_url, server_settings={"search_path": compliance_schema})
    try:
        sent = await connection.fetch("SELECT actor, detail FROM audit_log WHERE detail LIKE 'police decision%'")
    finally:
        await connection.close()
    (entry,) = sent
    assert entry["actor"] == "diversion_team/jo.duty@cambs-police.example"
    assert entry["detail"].startswith("police decision no_further_action on breach ")
