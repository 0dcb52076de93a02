"""The operations dashboard in a real headless Chromium: what a person sees after a breach and an
unplaceable need, with a screenshot saved for looking at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import async_playwright

from schemas.commands import DiversionDecision
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, NO_CHROMIUM, SCREENSHOTS
from tests.e2e.conftest import agency_key, operations_key, police_key, router_key
from tests.factories import agency_condition_payload, letter_condition_payload, payload
from tests.kafka_tools import eventually

SCREENSHOT = SCREENSHOTS / "dashboard.png"


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
async def test_the_dashboard_shows_breaches_unplaced_needs_and_rates(settings, start_service):
    intake, intake_schema = await start_service("intake")
    router, router_schema = await start_service("router")
    gateway, compliance_schema = await start_service("compliance", COMPLIANCE_SWEEP_SECONDS="1")
    dashboard, _ = await start_service(
        "dashboard",
        ROUTER_URL=router.url,
        AGENCY_API_URL=gateway.url,
        ROUTER_API_KEY=await router_key(settings.database_url, router_schema),
    )
    operator = await operations_key(settings.database_url, compliance_schema)
    overdue = payload(
        DiversionDecision,
        police_reference="13YE0555001",
        decided_at=(datetime.now(UTC) - timedelta(weeks=20)).isoformat(),
        conditions=[letter_condition_payload()],
        needs=[],
    )  # the apology letter was never reported sent
    unplaceable = payload(
        DiversionDecision,
        police_reference="13YE0555002",
        decided_at=datetime.now(UTC).isoformat(),
        conditions=[letter_condition_payload()],
        needs=[{"category": "da_perpetrator_programme", "severity": "medium"}],
    )
    supported = payload(
        DiversionDecision,
        police_reference="13YE0555003",
        decided_at=datetime.now(UTC).isoformat(),
        conditions=[agency_condition_payload(addresses_need="women_specific_support")],
        needs=[{"category": "women_specific_support", "severity": "medium"}],
    )  # Brighter Tomorrows sends a plan for the team's approval, and raises a concern
    async with httpx.AsyncClient(
        base_url=intake.url, headers={"X-API-Key": await police_key(settings.database_url, intake_schema)}
    ) as http:
        for decision in (overdue, unplaceable, supported):
            assert (await http.post("/v1/decisions", json=decision)).status_code == 201
    women = {"X-API-Key": await agency_key(settings.database_url, compliance_schema, "brighter-tomorrows")}
    async with httpx.AsyncClient(base_url=gateway.url, headers=women, timeout=15) as agency:
        (referral,) = await eventually(lambda: _listed(agency), timeout=60)
        path = f"/v1/referrals/{referral['referral_id']}"
        plan = {
            "activities": [{"need": "women_specific_support", "activity": "Weekly group"}],
            "goals": [{"need": "women_specific_support", "goal": "A support network"}],
            "sessions_planned": 4,
        }
        concern = {"kind": "risk_to_a_child", "urgency": "immediate", "details": "Left alone at night."}
        for action, body in (("accept", {}), ("action-plan", plan), ("concerns", concern)):
            assert (await agency.post(f"{path}/{action}", json=body)).status_code == 200

    async with httpx.AsyncClient(base_url=dashboard.url, timeout=15) as anonymous:  # not a speed test
        assert (await anonymous.get("/api/overview")).status_code == 401
        assert "operations key" in (await anonymous.get("/")).text  # the login page, not the data
        bad = {"X-API-Key": "dvk_000000000000_" + "a" * 43}
        assert (await anonymous.get("/api/overview", headers=bad)).status_code == 401
        assert "breaches" in (await anonymous.get("/api/overview", headers={"X-API-Key": operator})).json()
        assert (await anonymous.get("/reports/headline.csv")).status_code == 401
        unknown = await anonymous.get("/reports/everything.csv", headers={"X-API-Key": operator})
        assert unknown.status_code == 404 and "headline" in unknown.json()["message"]

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 1000})
        await page.goto(dashboard.url)
        await page.fill("#api_key", "dvk_000000000000_" + "a" * 43)
        await page.click("button[type=submit]")
        await page.locator("#problem").get_by_text("log in with your operations key").wait_for(timeout=10_000)
        await page.fill("#api_key", operator)
        await page.click("button[type=submit]")
        breaches = page.locator("#breaches")
        await breaches.get_by_text("13YE0555001").wait_for(timeout=30_000)
        await page.locator("#unplaced").get_by_text("da_perpetrator_programme").wait_for(timeout=30_000)
        await page.locator("#by-disposal").get_by_text("adult_conditional_caution").wait_for(timeout=30_000)
        await page.locator("#concerns").get_by_text("13YE0555003").wait_for(timeout=30_000)
        await page.locator("#plans").get_by_text("brighter-tomorrows").wait_for(timeout=30_000)
        headline = page.locator("#headline tr", has_text="conditional caution compliance")
        await headline.get_by_text("0 of 1").wait_for(timeout=30_000)
        # The page refreshes every 5 s; a part that missed its time shows as unavailable until the next refresh.
        await page.wait_for_function(
            "['cases.v1', 'referrals.v1'].every((t) => document.getElementById('flow').textContent.includes(t))",
            timeout=30_000,
        )
        async with page.expect_download() as downloading:
            await page.get_by_role("link", name="compliance by disposal and age").click()
        download = await downloading.value
        exported = (await download.path()).read_text()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)
        # Every part read from one snapshot of the page, taken when all of them are drawn: the page redraws itself
        # every 5 s, and a part that misses its time on one refresh shows as unavailable until the next.
        drawn = await page.wait_for_function(
            """() => {
              const text = (id) => document.getElementById(id).textContent;
              const row = [...document.querySelectorAll("#breaches tr")]
                .find((r) => r.textContent.includes("13YE0555001"));
              const caution = [...document.querySelectorAll("#headline tr")]
                .find((r) => r.textContent.includes("conditional caution compliance"));
              const svg = document.getElementById("flow");
              const labels = [...svg.querySelectorAll("text[x='0']")].map((t) => t.getBBox().x + t.getBBox().width);
              const bars = [...svg.querySelectorAll("rect")].map((r) => r.x.baseVal.value);
              const page = {
                row: row ? row.innerText : "", concerns: text("concerns"), plans: text("plans"),
                caution: caution ? caution.textContent : "", flow: text("flow"), rates: text("by-disposal"),
                updated: text("updated").trim(), label_end: Math.max(...labels), bars_start: Math.min(...bars),
              };
              const ready = page.row && page.caution.includes("0 of 1") && page.concerns.includes("13YE0555003")
                && page.plans.includes("brighter-tomorrows") && page.rates.includes("adult_conditional_caution")
                && ["cases.v1", "referrals.v1"].every((t) => page.flow.includes(t)) && labels.length && bars.length;
              return ready ? page : null;
            }""",
            timeout=30_000,
        )
        drawn = await drawn.json_value()
        row, concerns, plans, caution = drawn["row"], drawn["concerns"], drawn["plans"], drawn["caution"]
        flow, rates, updated = drawn["flow"], drawn["rates"], drawn["updated"]
        label_end, bars_start = drawn["label_end"], drawn["bars_start"]
        await browser.close()

    assert label_end < bars_start, "a topic's name is drawn over its bar"
    assert "deadline_passed" in row and "adult_conditional_caution" in row
    assert "risk_to_a_child" in concerns and "immediate" in concerns and "Left alone" not in concerns
    assert "brighter-tomorrows" in plans and "1" in plans
    assert "cases.v1" in flow and "referrals.v1" in flow
    assert updated.startswith("updated"), updated
    assert "0.0% of 1" in rates, "the overdue caution is breached; the other is still open"
    assert "93.0%" in caution and "-93.0 points" in caution, "beside the published 93%, how far"
    assert download.suggested_filename == "compliance-by-disposal_and_age.csv"
    assert exported.splitlines()[0].startswith("group,completed,breached")
    assert "adult_conditional_caution (adults),0,<5" in exported, "one breached caution: published as <5"


async def _listed(agency: httpx.AsyncClient) -> list[dict] | None:
    return (await agency.get("/v1/referrals")).json() or None
