"""Property-based run of the agency gateway's own OpenAPI against the running process, on a referral the
agency holds (so updates get past the 404 to the state machine): no input gives a 500, and every answer
is one the schema documents. That input of the wrong JSON type is refused, never coerced, is proved per
field in `tests/unit/schemas/test_strict_validation.py`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from services.compliance.bootstrap import create_app
from services.compliance.settings import ComplianceSettings
from tests.e2e.conftest import agency_key, service_for_fuzzing

AGENCY = "substance-misuse-treatment"
REFERRAL = uuid.uuid4()
schema = schemathesis.openapi.from_dict(create_app(ComplianceSettings()).openapi())


@pytest.fixture(scope="module")
def running_gateway(infrastructure, tmp_path_factory):
    with service_for_fuzzing(
        infrastructure, "services.compliance", "compliance", tmp_path_factory.mktemp("compliance"), _provision
    ) as running:
        yield running


@schema.include(path_regex="^/v1/referrals").parametrize()
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_gateway_fail(case, running_gateway):
    url, api_key = running_gateway
    if case.path_parameters and "referral_id" in case.path_parameters:
        case.path_parameters["referral_id"] = str(REFERRAL)
    response = case.call(base_url=url, headers={"X-API-Key": api_key}, timeout=10)
    case.validate_response(response, checks=(not_a_server_error, status_code_conformance, response_schema_conformance))


async def _provision(database_url: str, schema_name: str) -> str:
    """Give the agency a key and a referral of its own (issued earlier today)."""
    key = await agency_key(database_url, schema_name, AGENCY)
    connection = await asyncpg.connect(database_url, server_settings={"search_path": schema_name})
    try:
        now, case = datetime.now(UTC), uuid.uuid4()
        await connection.execute(
            "INSERT INTO cases (case_id, subject_ref, force_id, police_reference, disposal_type, offence_category,"
            " domestic_abuse, decided_at, complete_by, status, updated_at) VALUES ($1, 'subj-00000001',"
            " 'cambridgeshire', '13YE0000001', 'adult_conditional_caution', 'theft', false, $2, '2099-01-01',"
            " 'open', $2)",
            case,
            now,
        )
        await connection.execute(
            "INSERT INTO referrals (referral_id, case_id, agency_id, needs, delivery_mode, status, issued_at,"
            " respond_by, updated_at) VALUES ($1, $2, $3, '{alcohol_misuse}', 'face_to_face', 'issued', $4,"
            " '2099-01-01', $4)",
            REFERRAL,
            case,
            AGENCY,
            now.replace(hour=0, minute=0),
        )
    finally:
        await connection.close()
    return key
