"""The diversion team's workspace in a real headless Chromium, against compliance on the real broker and database
(issue 25): a member of the team signs in to the day's queue, reads a safeguarding concern and takes it on, approves
an action plan, finds the breach awaiting a police decision, opens its case and writes a note to an agency. Each page
is checked with axe-core and kept as a screenshot; an agency's caseworker is kept out."""

from __future__ import annotations

import pytest

from tests.browser import CHROMIUM, NO_CHROMIUM, checked, chromium, sign_in
from tests.integration.compliance.conftest import add_person
from tests.integration.compliance.test_agency_work import PLAN, TREATMENT, WOMEN
from tests.integration.compliance.test_outcomes import APPOINTMENT, SECOND_APPOINTMENT, miss, schedule

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)


async def test_the_diversion_team_works_its_queue_from_the_workspace(compliance, served):
    case = await compliance.open_case()
    women, treatment = case.referrals[WOMEN], case.referrals[TREATMENT]
    assert (await compliance.post(WOMEN, women, "accept")).status_code == 200
    assert (await compliance.post(WOMEN, women, "action-plan", PLAN)).status_code == 200
    raised = await compliance.post(
        WOMEN, women, "concerns", {"kind": "risk_to_a_child", "urgency": "immediate", "details": "Left alone at night."}
    )
    assert raised.status_code == 200, raised.text
    for appointment in (APPOINTMENT, SECOND_APPOINTMENT):
        await schedule(compliance, TREATMENT, treatment, appointment)
        await miss(compliance, treatment, appointment)
    reference = case.opened.police_reference
    password = await add_person(compliance, "jo.duty@cambs-police.example", "diversion_team")
    caseworker = await add_person(compliance, "ann.worker@bt.example", "caseworker", WOMEN)

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await sign_in(page, served, "jo.duty@cambs-police.example", password)
        await page.get_by_role("heading", name="Today's work").wait_for()
        for section in ("concerns", "plans", "police"):
            assert reference in await page.locator(f"section:has(#{section})").inner_text() or section == "plans"
        await checked(page, "team-queue")

        await page.get_by_role("link", name=f"Read the concern about {reference}").click()
        await page.get_by_text("Left alone at night.").wait_for()
        await checked(page, "team-concern")
        await page.get_by_role("button", name="Take it on").click()
        await page.get_by_role("status").get_by_text("Concern taken on").wait_for()
        assert "None waiting." in await page.locator("section:has(#concerns)").inner_text()

        await page.get_by_role("button", name=f"Approve {WOMEN}'s plan version 1").click()
        await page.get_by_role("status").get_by_text("Action plan approved.").wait_for()

        await page.locator("section:has(#police)").get_by_role("link", name=reference).click()
        await page.get_by_role("heading", name=f"Case {reference}").wait_for()
        case_page = await page.locator("main").inner_text()
        assert "Awaiting police decision" in case_page and "Miss" in case_page
        await checked(page, "team-case")

        note_to_women = page.locator("details", has_text="Write a note to Brighter Tomorrows")
        await note_to_women.locator("summary").click()
        await note_to_women.get_by_role("button", name="Send note").click()
        await page.get_by_role("alert").get_by_text("Write the note").wait_for()  # an empty note is refused
        note_to_women = page.locator("details", has_text="Write a note to Brighter Tomorrows")
        await note_to_women.get_by_label("Note").fill("Please call the officer before her next session.")
        await note_to_women.get_by_role("button", name="Send note").click()
        await page.get_by_role("status").get_by_text("Your note is sent to the agency.").wait_for()
        assert "Please call the officer before her next session." in await page.locator("main").inner_text()
        await checked(page, "team-case-noted")

        worker = await browser.new_page()
        await sign_in(worker, served, "ann.worker@bt.example", caseworker)
        await worker.get_by_role("heading", name="Referrals to Brighter Tomorrows women's programme").wait_for()
        refused = await worker.goto(f"{served}/team")
        assert refused.status == 403

    ops = compliance.as_agency("ops")
    (concern,) = (await compliance.http.get("/v1/concerns", headers=ops)).json()
    assert concern["acknowledged_by"] == "Jo Duty"
    plan = (
        await compliance.http.get(
            f"/v1/referrals/{women}?purpose=reporting_progress", headers=compliance.as_agency(WOMEN)
        )
    ).json()
    assert (plan["work"]["action_plan"]["status"], plan["work"]["action_plan"]["decided_by"]) == ("approved", "Jo Duty")
    read = await compliance.pool.fetch(
        "SELECT actor FROM audit_log WHERE case_id = $1 AND detail = 'read concern'", case.case_id
    )
    assert [row["actor"] for row in read] == ["diversion_team/jo.duty@cambs-police.example"]
    notes = (await compliance.http.get(f"/v1/referrals/{women}/notes", headers=compliance.as_agency(WOMEN))).json()
    assert [(n["author"], n["written_by"], n["text"]) for n in notes] == [
        (
            "diversion_team",
            "diversion_team/jo.duty@cambs-police.example",
            "Please call the officer before her next session.",
        )
    ], "the agency reads the team's note, written under the person's name"
