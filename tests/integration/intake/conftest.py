"""Intake running in-process on the test's own topics and schema, with a police client and key."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from deploy.local_stack.processes import drop_schemas
from platform_plumbing.api_keys import issue_key
from platform_plumbing.clock import SystemClock
from services.intake.adapters.police_clients import PoliceClient, add_client
from services.intake.bootstrap import create_app
from services.intake.settings import IntakeSettings

FORCE = "west-yorkshire"


@dataclass
class RunningIntake:
    http: httpx.AsyncClient
    settings: IntakeSettings
    pool: object
    api_key: str

    async def new_key(self, client_id: str, force_id: str) -> str:
        async with self.pool.acquire() as connection:
            now = SystemClock().now()
            await add_client(connection, PoliceClient(client_id, force_id, client_id), now=now)
            return (await issue_key(connection, client_id, now=now)).api_key


def intake_settings(settings, namespace: str) -> IntakeSettings:
    return IntakeSettings(**settings.model_dump(), intake_db_schema=namespace)


@pytest.fixture
async def intake(settings, namespace, topics) -> RunningIntake:
    config = intake_settings(settings, namespace)
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
            running = RunningIntake(http=http, settings=config, pool=app.state.pool, api_key="")
            running.api_key = await running.new_key("test-police", FORCE)
            http.headers["X-API-Key"] = running.api_key
            yield running
    await drop_schemas(settings.database_url, [namespace])
