"""Bad input and refusals over HTTP: clear 4xx, one error shape, no echo of personal data, never 500."""

from __future__ import annotations

import pytest

from tests.integration.intake.test_http_decisions import decision
from tests.integration.intake.test_outcomes_followed import case_changed


async def test_no_key_or_a_wrong_key_is_401(intake):
    for headers in ({"X-API-Key": ""}, {"X-API-Key": "dvk_000000000000_" + "a" * 43}, {"X-API-Key": "nonsense"}):
        response = await intake.http.post("/v1/decisions", json=decision(), headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorised"
        assert response.headers["WWW-Authenticate"] == "ApiKey"


async def test_a_revoked_key_stops_working_and_a_rotated_one_takes_over(intake):
    from platform_plumbing.api_keys import issue_key, revoke_key
    from platform_plumbing.clock import SystemClock

    async with intake.pool.acquire() as connection:
        new = await issue_key(connection, "test-police", now=SystemClock().now())
        old_id = intake.api_key.split("_")[1]
        assert await revoke_key(connection, old_id, now=SystemClock().now())

    assert (await intake.http.get("/v1/cases/13YE0000001")).status_code == 401
    assert (await intake.http.get("/v1/cases/13YE0000001", headers={"X-API-Key": new.api_key})).status_code == 404


async def test_a_client_acts_only_for_its_own_force(intake):
    other_force_key = await intake.new_key("other-police", "north-yorkshire")
    await intake.http.post("/v1/decisions", json=decision("13YE0000010"))

    as_other = {"X-API-Key": other_force_key}
    submitted = await intake.http.post("/v1/decisions", json=decision("13YE0000011"), headers=as_other)
    read = await intake.http.get("/v1/cases/13YE0000010", headers=as_other)

    assert submitted.status_code == 403 and submitted.json()["error"] == "wrong_force"
    assert read.status_code == 403 and "case_id" not in read.text


async def test_validation_errors_name_the_fields_and_never_echo_their_values(intake):
    body = decision()
    body["personal"]["given_name"] = "Zebedee" * 50
    body["offence"]["gravity_score"] = 9
    body["favourite_colour"] = "Zebedee"

    response = await intake.http.post("/v1/decisions", json=body)

    assert response.status_code == 422
    problems = {p["field"] for p in response.json()["fields"]}
    assert problems == {"personal.given_name", "offence.gravity_score", "favourite_colour"}
    assert "Zebedee" not in response.text


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b'"a string"'])
async def test_malformed_bodies_are_422(intake, raw):
    response = await intake.http.post("/v1/decisions", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


async def test_a_body_over_the_limit_is_413_whether_or_not_its_length_is_declared(intake):
    huge = b'{"x": "' + b"a" * (intake.settings.intake_max_body_bytes + 10) + b'"}'

    declared = await intake.http.post("/v1/decisions", content=huge, headers={"Content-Type": "application/json"})

    async def chunks():
        for start in range(0, len(huge), 4096):
            yield huge[start : start + 4096]

    streamed = await intake.http.post("/v1/decisions", content=chunks(), headers={"Content-Type": "application/json"})
    assert declared.status_code == streamed.status_code == 413
    assert declared.json()["error"] == "body_too_large"


async def test_assessment_and_withdrawal_of_unknown_or_closed_cases_are_refused_clearly(intake):
    opened = (await intake.http.post("/v1/decisions", json=decision("13YE0000020"))).json()
    assessment = {
        "force_id": "cambridgeshire",
        "police_reference": "13YE0000099",
        "assessed_at": "2025-03-05T10:00:00+00:00",
        "needs": [{"category": "housing", "severity": "high", "preferred_mode": "hybrid"}],
    }
    withdrawal = {
        "force_id": "cambridgeshire",
        "police_reference": "13YE0000020",
        "reason": "entered_in_error",
        "withdrawn_at": "2025-03-06T10:00:00+00:00",
    }

    unknown = await intake.http.post("/v1/assessments", json=assessment)
    withdrawn = await intake.http.post("/v1/withdrawals", json=withdrawal)
    await intake.follow(case_changed(opened["case_id"], "withdrawn", sequence=1))
    withdrawn_again = await intake.http.post("/v1/withdrawals", json=withdrawal)
    late = await intake.http.post("/v1/assessments", json={**assessment, "police_reference": "13YE0000020"})

    assert unknown.status_code == 404 and unknown.json()["error"] == "case_not_found"
    assert withdrawn.status_code == withdrawn_again.status_code == 200
    assert withdrawn.json()["recorded"] == "withdrawal" and withdrawn_again.json()["recorded"] is None
    assert withdrawn_again.json()["status"] == "withdrawn"
    assert late.status_code == 409 and late.json()["error"] == "case_not_open"
    assert late.json()["message"] == "the case is withdrawn, so its needs cannot be assessed"
