"""What an agency does before it may complete a referral, as tests do it over compliance's API: an action plan with a
goal for each need (approved by the diversion team where the agency's plans need approval), then the end-of-service
report. Shared by the integration and end-to-end tests (each passes how it calls the API as the agency and as the
diversion team)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

Call = Callable[[str, str, dict | None], Awaitable[httpx.Response]]
"""(method, path, JSON body) -> the response."""


async def report_the_work(agency: Call, team: Call, referral: object, outcome: str = "achieved") -> None:
    read = f"/v1/referrals/{referral}?purpose=reporting_progress"
    detail = await agency("GET", read, None)
    assert detail.status_code == 200, detail.text
    needs = detail.json()["needs"]
    plan = {
        "activities": [{"need": need, "activity": f"sessions on {need}"} for need in needs],
        "goals": [{"need": need, "goal": f"better {need}"} for need in needs],
        "sessions_planned": 2,
    }
    submitted = await agency("POST", f"/v1/referrals/{referral}/action-plan", plan)
    assert submitted.status_code == 200, submitted.text
    latest = (await agency("GET", read, None)).json()["work"]["action_plan"]
    if latest["status"] == "awaiting_approval":
        approved = await team("POST", f"/v1/action-plans/{latest['plan_id']}/approval", {"by": "Jo Duty"})
        assert approved.status_code == 200, approved.text
    report = {
        "needs": [{"need": need, "outcome": outcome} for need in needs],
        "goals": [{"need": need, "goal": f"better {need}", "outcome": outcome} for need in needs],
    }
    reported = await agency("POST", f"/v1/referrals/{referral}/end-of-service-report", report)
    assert reported.status_code == 200, reported.text
