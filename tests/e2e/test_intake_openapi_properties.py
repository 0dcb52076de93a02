"""Property-based run of intake's own OpenAPI against the running process: no input gives a 500.

Schemathesis generates requests from the published schema (valid and invalid, with and
without the declared constraints) and checks every answer: never a server error, and every
answer conforms to the status codes and bodies the schema documents.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from services.intake.bootstrap import create_app
from services.intake.settings import IntakeSettings
from tests.e2e.conftest import police_key, service_for_fuzzing

schema = schemathesis.openapi.from_dict(create_app(IntakeSettings()).openapi())


@pytest.fixture(scope="module")
def running_intake(infrastructure, tmp_path_factory):
    async def provision(database_url: str, schema_name: str) -> str:
        return await police_key(database_url, schema_name, "fuzz-police")

    with service_for_fuzzing(
        infrastructure, "services.intake", "intake", tmp_path_factory.mktemp("intake"), provision
    ) as running:
        yield running


@schema.parametrize()
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_intake_fail(case, running_intake):
    url, api_key = running_intake
    response = case.call(base_url=url, headers={"X-API-Key": api_key}, timeout=10)
    case.validate_response(response, checks=(not_a_server_error, status_code_conformance, response_schema_conformance))
