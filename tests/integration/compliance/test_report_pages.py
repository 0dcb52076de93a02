"""The force's reports in the diversion team's workspace, in a real headless Chromium against compliance on the real
broker and database (issue 25): signed in as themselves, a member of the team reads the headline figures beside the
source's as a chart and a table, breaks compliance down by agency (the needs no agency could take named as such),
and downloads a table as CSV with small counts suppressed; every read is audited under their name. An agency's
caseworker is kept out, and a breakdown that does not exist is not found."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from schemas.events import ReferralUnmatched
from schemas.topics import REFERRALS
from tests.browser import CHROMIUM, NO_CHROMIUM, checked, chromium, sign_in
from tests.integration.compliance.conftest import add_person
from tests.integration.compliance.test_outcomes import TREATMENT, complete_referral

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
TEAM_MEMBER = "jo.duty@cambs-police.example"


async def test_the_team_reads_the_forces_reports_as_charts_and_downloads_them_suppressed(compliance, served):
    for _ in range(6):
        case = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]})
        await complete_referral(compliance, TREATMENT, case.referrals[TREATMENT])
    breached = await compliance.open_case(referrals={TREATMENT: ["alcohol_misuse"]})
    await compliance.post(TREATMENT, breached.referrals[TREATMENT], "disengagement")
    unplaced = await compliance.open_case(send_referrals=False, conditions=[])
    await compliance.send(
        REFERRALS.name,
        ReferralUnmatched(
            case_id=unplaced.case_id,
            referral_id=unplaced.case_id,
            needs=[{"category": "housing", "severity": "medium"}],
            reason="no_eligible_agency",
            explanation="No agency in fenland serves housing for this person.",
        ),
    )
    password = await add_person(compliance, TEAM_MEMBER, "diversion_team")
    caseworker = await add_person(compliance, "ann.worker@bt.example", "caseworker", "brighter-tomorrows")

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        await sign_in(page, served, TEAM_MEMBER, password)
        await page.get_by_role("link", name="Reports").click()
        await page.get_by_role("heading", name="The force's reports").wait_for()
        headline = page.locator("figure", has_text="beside the figure the source published")
        caution = headline.locator("li", has_text="Conditional Caution compliance")
        assert await caution.locator(".chart-value").all_inner_texts() == ["Measured: 85.7%", "Published: 93.0%"]
        assert await caution.locator("rect.chart-fill-1").get_attribute("width") == "85.7"
        await checked(page, "team-reports")

        await page.get_by_label("Compliance by").select_option("agency")
        await page.get_by_role("button", name="Show").click()
        await page.get_by_role("heading", name="Compliance rates by agency").wait_for()
        by_agency = await page.locator("figure", has_text="Completed, of the cases concluded").inner_text()
        assert "Substance misuse treatment service" in by_agency and "No agency could take" in by_agency
        async with page.expect_download() as downloading:
            await page.get_by_role("link", name="Download compliance rates by agency (CSV)").click()
        download = await downloading.value
        assert download.suggested_filename == "compliance-by-agency.csv"
        exported = list(csv.DictReader(io.StringIO(Path(await download.path()).read_text(encoding="utf-8"))))
        treatment = next(row for row in exported if row["group"] == TREATMENT)
        assert (treatment["completed"], treatment["breached"], treatment["concluded"]) == ("6", "<5", "7")
        await checked(page, "team-reports-by-agency")
        await page.set_viewport_size({"width": 390, "height": 844})  # the tables scroll sideways: reachable by keyboard
        await checked(page, "team-reports-phone")

        missing = await page.goto(f"{served}/team/reports?compliance_by=postcode")
        assert missing.status == 404
        unknown_table = await page.goto(f"{served}/team/reports/people.csv")
        assert unknown_table.status == 404

        worker = await browser.new_page()
        await sign_in(worker, served, "ann.worker@bt.example", caseworker)
        assert (await worker.goto(f"{served}/team/reports")).status == 403
        assert (await worker.goto(f"{served}/team/reports/headline.csv")).status == 403

    reads = await compliance.pool.fetch(
        "SELECT actor, detail FROM audit_log WHERE action = 'consultation' AND detail LIKE 'report%'"
    )
    assert {(row["actor"], row["detail"]) for row in reads} == {
        (f"diversion_team/{TEAM_MEMBER}", "reports page"),
        (f"diversion_team/{TEAM_MEMBER}", "report compliance-by-agency.csv"),
    }
