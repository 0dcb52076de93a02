"""Every HTTP route of every service and of the dashboard needs a key (or, on the dashboard, a session),
except an explicit list of public ones that carry no case data: health probes, metrics, the API
documentation and the dashboard's login. A route added without authentication fails here.

Read from each app's OpenAPI document, where a route that takes the key declares it as its security;
routes hidden from the document (health, the dashboard's page and login) are the public ones."""

from __future__ import annotations

from services.compliance.bootstrap import create_app as compliance_app
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
