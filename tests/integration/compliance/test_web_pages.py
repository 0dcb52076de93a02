"""The web pages' guards, on the real database and broker (issue 25): a page asked for signed out sends you to sign
in; a disabled account cannot sign in; a wrong password is refused like an unknown account, and repeated ones are
throttled; a form without its CSRF token is refused; another agency's referral is 404 and its forms do nothing;
accounts are created and disabled only by who manages them, audited under the person's name; a need is placed by hand
only by the diversion team, only for a need waiting on the case, and nothing is recorded when the router is away."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
import pytest

from schemas.events import ReferralUnmatched
from schemas.topics import REFERRALS
from services.compliance.adapters.hand_placements import HandPlacements
from tests.integration.compliance.conftest import add_person
from tests.integration.compliance.test_agency_work import TREATMENT, WOMEN


@pytest.fixture
async def browser_like(compliance):
    """A client that keeps cookies like a browser on HTTPS (the session cookie is Secure)."""
    transport = httpx.ASGITransport(app=compliance.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://compliance") as client:
        yield client


def token_of(page: httpx.Response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


async def signed_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = await client.get("/sign-in")
    return await client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token_of(form)}, follow_redirects=False
    )


async def test_signed_out_you_are_sent_to_sign_in_and_back(compliance, browser_like):
    case = await compliance.open_case()
    address = f"/portal/referrals/{case.referrals[WOMEN]}"
    asked = await browser_like.get(address, follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == f"/sign-in?next={address}"
    password = await add_person(compliance, "ann.worker@bt.example", "caseworker", WOMEN)
    form = await browser_like.get(asked.headers["location"])
    answer = await browser_like.post(
        "/sign-in",
        data={"email": "Ann.Worker@bt.example", "password": password, "csrf_token": token_of(form), "next": address},
        follow_redirects=False,
    )
    assert answer.headers["location"] == address
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    page = await browser_like.get(address)
    assert page.status_code == 200 and "Referral " + str(case.referrals[WOMEN])[:8].upper() in page.text
    assert "Alex" in page.text, "the contact details the agency may see"


async def test_another_agencys_referral_is_not_found_and_its_forms_do_nothing(compliance, browser_like):
    case = await compliance.open_case()
    password = await add_person(compliance, "ann.worker@bt.example", "caseworker", WOMEN)
    await signed_in(browser_like, "ann.worker@bt.example", password)
    listed = await browser_like.get("/portal/referrals")
    assert str(case.referrals[WOMEN]) in listed.text and str(case.referrals[TREATMENT]) not in listed.text
    theirs = f"/portal/referrals/{case.referrals[TREATMENT]}"
    assert (await browser_like.get(theirs)).status_code == 404
    token = token_of(await browser_like.get("/portal/referrals"))
    accepted = await browser_like.post(f"{theirs}/accept", data={"csrf_token": token})
    assert accepted.status_code == 404
    detail = await compliance.http.get(
        f"/v1/referrals/{case.referrals[TREATMENT]}?purpose=reporting_progress", headers=compliance.as_agency(TREATMENT)
    )
    assert detail.json()["status"] == "issued"


async def test_a_form_without_its_token_is_refused_and_changes_nothing(compliance, browser_like):
    case = await compliance.open_case()
    password = await add_person(compliance, "ann.worker@bt.example", "caseworker", WOMEN)
    await signed_in(browser_like, "ann.worker@bt.example", password)
    ours = f"/portal/referrals/{case.referrals[WOMEN]}"
    assert (await browser_like.post(f"{ours}/accept", data={})).status_code == 403
    assert (await browser_like.post(f"{ours}/accept", data={"csrf_token": "forged"})).status_code == 403
    assert '<span class="tag">Issued</span>' in (await browser_like.get(ours)).text, "still as it was"
    token = token_of(await browser_like.get(ours))
    accepted = await browser_like.post(f"{ours}/accept", data={"csrf_token": token}, follow_redirects=True)
    assert accepted.status_code == 200 and "Referral accepted" in accepted.text
    assert '<span class="tag">Accepted</span>' in accepted.text
    audit = await compliance.pool.fetch(
        "SELECT actor FROM audit_log WHERE referral_id = $1 AND action = 'alteration'", case.referrals[WOMEN]
    )
    assert [row["actor"] for row in audit] == [f"agency-{WOMEN}/ann.worker@bt.example"], "the person and the agency"


async def test_wrong_passwords_are_refused_alike_then_throttled_and_a_disabled_account_cannot_sign_in(
    compliance, browser_like
):
    password = await add_person(compliance, "ann.worker@bt.example", "caseworker", WOMEN)
    admin = await add_person(compliance, "bo.admin@bt.example", "agency_admin", WOMEN)
    unknown = await signed_in(browser_like, "nobody@bt.example", password)
    wrong = await signed_in(browser_like, "ann.worker@bt.example", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "not right" in wrong.text and "not right" in unknown.text

    other = httpx.AsyncClient(transport=browser_like._transport, base_url="https://compliance")
    async with other:
        assert (await signed_in(other, "bo.admin@bt.example", admin)).status_code == 303
        people = await other.get("/people")
        ann = re.search(r'action="/people/([0-9a-f-]+)/disable"', people.text).group(1)
        disabled = await other.post(f"/people/{ann}/disable", data={"csrf_token": token_of(people)})
        assert "account is disabled" in disabled.text
    refused = await signed_in(browser_like, "ann.worker@bt.example", password)
    assert refused.status_code == 401
    for _ in range(5):
        await signed_in(browser_like, "bo.admin@bt.example", "guessing")
    throttled = await signed_in(browser_like, "bo.admin@bt.example", admin)
    assert throttled.status_code == 429 and "Too many attempts" in throttled.text
    audit = await compliance.pool.fetch("SELECT actor, detail FROM audit_log WHERE purpose = 'account_management'")
    assert [tuple(row) for row in audit] == [
        (f"agency-{WOMEN}/bo.admin@bt.example", "account disabled for ann.worker@bt.example")
    ]


async def test_an_agency_administrator_adds_people_only_to_their_own_agency(compliance, browser_like):
    admin = await add_person(compliance, "bo.admin@bt.example", "agency_admin", WOMEN)
    caseworker = await add_person(compliance, "ann.worker@bt.example", "caseworker", WOMEN)
    await signed_in(browser_like, "bo.admin@bt.example", admin)
    people = await browser_like.get("/people")
    added = await browser_like.post(
        "/people",
        data={
            "csrf_token": token_of(people),
            "name": "Cy New",
            "email": "cy.new@bt.example",
            "role": "diversion_team",
            "password": "long enough password",
        },
    )
    assert added.status_code == 422, "an agency's administrator cannot make a member of the diversion team"
    short = await browser_like.post(
        "/people",
        data={"csrf_token": token_of(people), "name": "Cy New", "email": "cy.new@bt.example", "role": "caseworker"},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    made = await browser_like.post(
        "/people",
        data={
            "csrf_token": token_of(people),
            "name": "Cy New",
            "email": "cy.new@bt.example",
            "role": "caseworker",
            "password": "long enough password",
        },
    )
    assert made.status_code == 200 and "Account created for Cy New" in made.text
    row = await compliance.pool.fetchrow(
        "SELECT role, agency_id, password_hash FROM people WHERE email = 'cy.new@bt.example'"
    )
    assert (row["role"], row["agency_id"]) == ("caseworker", WOMEN) and row["password_hash"].startswith("$argon2id$")

    async with httpx.AsyncClient(transport=browser_like._transport, base_url="https://compliance") as worker:
        await signed_in(worker, "ann.worker@bt.example", caseworker)
        assert (await worker.get("/people")).text.count("Add a person") == 0
        token = token_of(await worker.get("/portal/referrals"))
        refused = await worker.post("/people", data={"csrf_token": token, "name": "X", "email": "x@bt.example"})
        assert refused.status_code == 403


async def test_guesses_sent_all_at_once_are_throttled_like_guesses_one_by_one(compliance, browser_like):
    await add_person(compliance, "bo.admin@bt.example", "agency_admin", WOMEN)
    form = await browser_like.get("/sign-in")
    guess = {"email": "bo.admin@bt.example", "password": "guessing", "csrf_token": token_of(form)}
    answers = await asyncio.gather(*(browser_like.post("/sign-in", data=guess) for _ in range(12)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes.count(401) <= 5 and codes.count(429) >= 7, codes


async def test_placing_a_need_by_hand_is_the_teams_alone_checked_and_says_when_the_router_cannot_be_reached(
    compliance, browser_like
):
    case = await compliance.open_case()
    unmatched = ReferralUnmatched(
        case_id=case.case_id,
        referral_id=uuid.uuid4(),
        needs=[{"category": "housing", "severity": "medium"}],
        explanation="No agency in the catalogue can take housing.",
        reason="no_eligible_agency",
    )
    await compliance.send(REFERRALS.name, unmatched)
    address = f"/team/cases/{case.case_id}"
    operator = await add_person(compliance, "op@ops.example", "operations")
    await signed_in(browser_like, "op@ops.example", operator)
    seen = await browser_like.get(address)
    assert "Place needs no agency could take" in seen.text and "Place with this agency" not in seen.text
    form = {"csrf_token": token_of(seen), "referral_id": str(unmatched.referral_id), "agency": "housing-advice"}
    refused = await browser_like.post(f"{address}/placement", data={**form, "placement_reason": "Agreed"})
    assert refused.status_code == 403, "operations see the queue; the diversion team decides"
    await browser_like.post("/sign-out", data={"csrf_token": token_of(seen)})

    password = await add_person(compliance, "jo.duty@cambs-police.example", "diversion_team")
    await signed_in(browser_like, "jo.duty@cambs-police.example", password)
    seen = await browser_like.get(address)
    assert "the router is not configured (ROUTER_URL and ROUTER_API_KEY)" in seen.text
    why = "Why no agency could take it:</strong> No agency in the catalogue can take housing."
    assert why in seen.text, "the router's own words on the case page"
    compliance.app.state.hand_placements = HandPlacements("http://127.0.0.1:9", "dvk_nobody")
    seen = await browser_like.get(address)
    assert "Place with this agency" in seen.text
    form["csrf_token"] = token_of(seen)

    without_token = await browser_like.post(f"{address}/placement", data={**form, "csrf_token": ""})
    incomplete = await browser_like.post(f"{address}/placement", data={**form, "agency": ""})
    not_unmatched = await browser_like.post(
        f"{address}/placement", data={**form, "referral_id": str(case.referrals[WOMEN]), "placement_reason": "Agreed"}
    )
    unreachable = await browser_like.post(f"{address}/placement", data={**form, "placement_reason": "Agreed"})

    assert without_token.status_code == 403
    assert incomplete.status_code == 422
    assert "Choose the agency that will take the needs" in incomplete.text and "Say why this agency" in incomplete.text
    assert not_unmatched.status_code == 404, "only a need waiting for a place on this case"
    assert unreachable.status_code == 503
    assert "The referral router could not be reached: nothing was recorded" in unreachable.text
    sent = await compliance.pool.fetchval("SELECT count(*) FROM audit_log WHERE detail LIKE 'placement of%'")
    assert sent == 0, "nothing was sent, so nothing is recorded as sent"
