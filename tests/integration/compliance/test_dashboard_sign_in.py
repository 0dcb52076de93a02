"""One sign-in for the workspace and the operations dashboard (issue 25), with the dashboard a real process and
compliance on the real broker and database: a person signed in to the workspace follows its link and is signed in
to the dashboard, whose pages axe-core finds nothing serious on, on a phone too; the one-time code is redeemed once,
never after its minute, and only by an operations key; an agency's caseworker gets no code; the sign-in is audited
under the person's name."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from deploy.local_stack.processes import isolated_service
from services.compliance.adapters.people_store import PeopleStore
from services.compliance.service_layer.accounts import wall_clock
from tests.browser import CHROMIUM, NO_CHROMIUM, checked, chromium, sign_in
from tests.integration.compliance.conftest import add_person
from tests.integration.compliance.test_web_pages import signed_in

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
OPERATOR = "ola.operator@ops.example"


@pytest.fixture
async def dashboard(compliance, served, infrastructure, settings, tmp_path):
    """The operations dashboard as a process, reading the test's compliance with an operations key of its own."""
    await compliance.add_client("dashboard", None)
    process = isolated_service(
        "dashboard",
        kafka=infrastructure.kafka,
        database=infrastructure.database,
        prefix=settings.topic_prefix,
        schema="unused",
        log=tmp_path / "dashboard.log",
        AGENCY_API_URL=served,
        ROUTER_URL="http://127.0.0.1:9",
        OPERATIONS_API_KEY=compliance.keys["dashboard"],
    )
    await process.start()
    compliance.app.state.dashboard_url = process.url
    yield process
    process.stop()


async def test_a_person_signed_in_to_the_workspace_is_signed_in_to_the_dashboard(compliance, served, dashboard):
    password = await add_person(compliance, OPERATOR, "operations")
    async with chromium() as browser:
        page = await browser.new_page()
        await sign_in(page, served, OPERATOR, password)
        await page.get_by_role("link", name="Platform dashboard").click()
        await page.get_by_role("heading", name="Out-of-court diversion — operations").wait_for()
        assert page.url.startswith(dashboard.url)
        await page.set_viewport_size({"width": 390, "height": 844})  # its sections scroll sideways on a phone
        await page.locator("#updated").get_by_text("updated").wait_for()
        # axe-core does not support nodes replaced while it runs: stop the page's 5-second redraw, let one in flight end
        await page.evaluate("() => { for (let id = setTimeout(() => {}, 0); id > 0; id--) clearInterval(id); }")
        await page.wait_for_load_state("networkidle")
        await checked(page, "dashboard-phone")
        await page.context.clear_cookies()
        await page.reload()
        await page.get_by_role("link", name="Sign in with your account").wait_for()
        await checked(page, "dashboard-sign-in")

    audit = await compliance.pool.fetch("SELECT actor, detail FROM audit_log WHERE detail LIKE 'signed in to%'")
    assert [tuple(row) for row in audit] == [
        (f"operations/{OPERATOR}", "signed in to the operations dashboard (redeemed by dashboard)")
    ]


async def test_a_code_is_redeemed_once_within_its_minute_by_an_operations_key_and_never_given_to_an_agency(
    compliance, served, dashboard
):
    password = await add_person(compliance, OPERATOR, "operations")
    caseworker = await add_person(compliance, "ann.worker@bt.example", "caseworker", "brighter-tomorrows")
    transport = httpx.ASGITransport(app=compliance.app, raise_app_exceptions=False)
    async with (
        httpx.AsyncClient(transport=transport, base_url="https://compliance") as person,
        httpx.AsyncClient(base_url=dashboard.url, timeout=15) as browser,
    ):
        await signed_in(person, OPERATOR, password)
        handed = await person.get("/handoff/dashboard", follow_redirects=False)
        assert handed.status_code == 303 and handed.headers["location"].startswith(f"{dashboard.url}/signed-in?code=")
        code = handed.headers["location"].split("code=")[1]
        by_an_agency = await compliance.http.post(
            "/v1/sign-in-handoffs/redeem", json={"code": code}, headers=compliance.as_agency("brighter-tomorrows")
        )
        first = await browser.get(f"/signed-in?code={code}")
        again = await browser.get(f"/signed-in?code={code}")

        person.cookies.clear()
        await signed_in(person, "ann.worker@bt.example", caseworker)
        refused = await person.get("/handoff/dashboard", follow_redirects=False)

    assert by_an_agency.status_code == 403, "only an operations key redeems a code"
    assert first.status_code == 200 and "diversion_session" in first.headers["set-cookie"]
    assert again.status_code == 401, "a code is redeemed once"
    assert refused.status_code == 403, "an agency's caseworker is not handed to the dashboard"

    async with compliance.pool.acquire() as connection:
        person_id = await connection.fetchval("SELECT person_id FROM people WHERE email = $1", OPERATOR)
        past = wall_clock() - timedelta(minutes=5)
        await PeopleStore(connection).hand_off("x" * 43, person_id, now=past, until=past + timedelta(minutes=1))
    expired = await compliance.http.post(
        "/v1/sign-in-handoffs/redeem", json={"code": "x" * 43}, headers=compliance.as_agency("dashboard")
    )
    assert expired.status_code == 404, "never after its minute"
