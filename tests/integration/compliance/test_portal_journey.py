"""A caseworker's whole journey through the agency portal in a real headless Chromium, against compliance on the
real broker and database (issue 25): sign in, see only your agency's referrals, accept one, record your assessment
with an onward referral the person agreed to, the action plan, an appointment, attendance, a session with engagement
and the end-of-service report. Every page is checked with axe-core on the way, and a screenshot of each is kept."""

from __future__ import annotations

import pytest

from schemas.events import ProgrammeNeedsFound
from schemas.topics import COMPLIANCE
from tests.browser import CHROMIUM, NO_CHROMIUM, checked, chromium
from tests.integration.compliance.conftest import add_person
from tests.integration.compliance.test_agency_work import TREATMENT, WOMEN, published, referral_detail

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)


async def opened(page, step: str):
    """A step's form, opened as a person opens it (each is folded away until wanted)."""
    form = page.locator(f"#step-{step}")
    await form.locator("summary").click()
    return form


async def test_a_caseworker_does_the_work_of_a_referral_from_the_portal(compliance, served):
    case = await compliance.open_case()
    ours, theirs = case.referrals[WOMEN], case.referrals[TREATMENT]
    password = await add_person(compliance, "ann.worker@bt.example", "caseworker", WOMEN)

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        await page.goto(f"{served}/portal/referrals")
        assert "/sign-in" in page.url
        await checked(page, "portal-sign-in")
        await page.get_by_label("Email address").fill("ann.worker@bt.example")
        await page.get_by_label("Password").fill(password)
        await page.get_by_role("button", name="Sign in").click()

        await page.get_by_role("heading", name="Referrals to Brighter Tomorrows women's programme").wait_for()
        listed = await page.locator("table").inner_text()
        assert str(ours)[:8].upper() in listed and str(theirs)[:8].upper() not in listed
        await checked(page, "portal-referrals")

        await page.get_by_role("link", name=str(ours)[:8].upper()).click()
        await checked(page, "portal-referral")
        await page.get_by_role("button", name="Accept referral").click()
        await page.get_by_role("status").get_by_text("Referral accepted").wait_for()

        assessment = await opened(page, "assessment")
        await assessment.get_by_label("Need").nth(0).select_option("women_specific_support")
        await assessment.get_by_label("Severity").nth(0).select_option("medium")
        await assessment.get_by_label("Onward referral").nth(0).select_option("not_needed")
        await assessment.get_by_label("Need").nth(1).select_option("housing")
        await assessment.get_by_label("Severity").nth(1).select_option("high")
        await assessment.get_by_label("Onward referral").nth(1).select_option("consented")
        await assessment.get_by_role("button", name="Record assessment").click()
        await page.get_by_role("status").get_by_text("Assessment recorded").wait_for()

        plan = await opened(page, "action-plan")
        await plan.get_by_label("Need").nth(0).select_option("women_specific_support")
        await plan.get_by_label("Activity").nth(0).fill("Weekly group at the women's centre")
        await plan.get_by_label("Need").nth(2).select_option("women_specific_support")
        await plan.get_by_label("Goal").nth(0).fill("Build a support network")
        await plan.get_by_label("Sessions planned").fill("4")
        await plan.get_by_role("button", name="Submit action plan").click()
        await page.get_by_role("status").get_by_text("Action plan submitted").wait_for()
        (awaiting,) = (await compliance.http.get("/v1/action-plans", headers=compliance.as_agency("ops"))).json()
        approved = await compliance.http.post(
            f"/v1/action-plans/{awaiting['plan_id']}/approval",
            json={"by": "Jo Duty"},
            headers=compliance.as_agency("ops"),
        )
        assert approved.status_code == 200, approved.text

        appointment = await opened(page, "appointment")
        await appointment.get_by_label("Purpose").select_option("initial_assessment")
        await appointment.get_by_label("Date and time").fill("2026-03-02T09:30")
        await appointment.get_by_label("How").select_option("face_to_face")
        await appointment.get_by_role("button", name="Schedule appointment").click()
        await page.get_by_role("status").get_by_text("Appointment scheduled").wait_for()
        await (await opened(page, "attended")).get_by_role("button", name="Record attendance").click()
        await page.get_by_role("status").get_by_text("Attendance recorded").wait_for()
        session = await opened(page, "session")
        await session.get_by_label("Engagement").select_option("good")
        await session.get_by_role("button", name="Record session").click()
        await page.get_by_role("status").get_by_text("Session recorded").wait_for()

        report = await opened(page, "end-of-service-report")
        await report.get_by_label("Women specific support").select_option("achieved")
        await report.get_by_label("Goal: Build a support network").select_option("partly_achieved")
        await report.get_by_role("button", name="Submit report").click()
        await page.get_by_role("status").get_by_text("End-of-service report submitted").wait_for()
        await checked(page, "portal-referral-worked")

        empty = await opened(page, "concern")
        await empty.get_by_role("button", name="Raise concern").click()
        await page.get_by_role("alert").get_by_text("There is a problem").wait_for()
        summary = await page.get_by_role("alert").inner_text()
        assert "Kind: choose one of the options" in summary and "Details: answer this" in summary
        assert await page.locator("#step-concern").get_attribute("open") is not None, "the form with the errors"
        await checked(page, "portal-referral-with-errors")

    work = (await referral_detail(compliance, WOMEN, ours))["work"]
    assert [s["engagement"] for s in work["sessions"]] == ["good"]
    assert work["end_of_service_report_at"] is not None and work["action_plan"]["status"] == "approved"
    (found,) = await published(compliance, COMPLIANCE.name, ProgrammeNeedsFound)
    assert [(n.category.value, n.onward.value) for n in found.needs if n.onward.value == "consented"] == [
        ("housing", "consented")
    ]
    actors = await compliance.pool.fetch(
        "SELECT DISTINCT actor FROM audit_log WHERE referral_id = $1 AND action = 'alteration'", ours
    )
    assert {row["actor"] for row in actors} >= {f"agency-{WOMEN}/ann.worker@bt.example"}
