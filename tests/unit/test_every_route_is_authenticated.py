"""Every HTTP route of every service and of the dashboard needs a key (or, on the dashboard, a session),
except an explicit list of public ones that carry no case data: health probes, metrics, the API
documentation and the dashboard's login. A route added without authentication fails here.

Read from each app's OpenAPI document, where a route that takes the key declares it as its security;
routes hidden from the document (health, the dashboard's page and login) are the public ones."""

from __future__ import annotations

import re
import uuid

import httpx

from services.compliance.bootstrap import create_app as compliance_app
from services.compliance.entrypoints.web import account_pages, portal_pages, team_pages
from services.compliance.settings import ComplianceSettings
from services.intake.bootstrap import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.operations.dashboard import create_app as dashboard_app
from services.operations.settings import OperationsSettings
from services.referral_router.bootstrap import create_app as router_app
from services.referral_router.settings import RouterSettings

PUBLIC = {"/healthz", "/readyz", "/asyncapi.json"}


def _open_routes(app) -> list[str]:
    paths = app.openapi()["paths"]
    assert len(set(paths) - PUBLIC) >= 1, "found too few routes to mean anything"
    return [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if path not in PUBLIC and not operation.get("security")
    ]


def test_every_service_route_needs_an_api_key():
    fixed = {"topic_prefix": "", "kafka_bootstrap_servers": "kafka:9092"}
    apps = {
        "intake": intake_app(IntakeSettings(**fixed)),
        "router": router_app(RouterSettings(**fixed)),
        "compliance": compliance_app(ComplianceSettings(**fixed)),
    }
    for name, app in apps.items():
        assert _open_routes(app) == [], f"{name} serves these without a key"


def test_the_dashboards_data_needs_a_login():
    app = dashboard_app(OperationsSettings())
    assert "/api/overview" in app.openapi()["paths"]
    assert _open_routes(app) == []


PUBLIC_PAGES = {"/sign-in"}


async def test_every_page_of_the_agency_portal_sends_a_stranger_to_sign_in():
    """The pages are hidden from the OpenAPI document; each is asked for here without a session instead."""
    app = compliance_app(ComplianceSettings(topic_prefix="", kafka_bootstrap_servers="kafka:9092"))
    pages = [
        (method, route.path)
        for router in (account_pages.router, portal_pages.router, team_pages.router)
        for route in router.routes
        for method in route.methods
        if route.path not in PUBLIC_PAGES
    ]
    assert len(pages) >= 6, "found too few pages to mean anything"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://compliance") as stranger:
        for method, path in pages:
            address = re.sub(r"\{[a-z]+_id\}", str(uuid.uuid4()), path)
            address = re.sub(r"\{[a-z_]+\}", "accept", address)
            answer = await stranger.request(method, address)
            assert (answer.status_code, answer.headers.get("location", "")[:15]) == (303, "/sign-in?next=/"), (
                method,
                path,
            )
