"""Intake running in-process on the test's own topics and schema, with a police client and key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiokafka.structs import ConsumerRecord

from deploy.local_stack.processes import drop_schemas, provide_topics, remove_topics
from platform_plumbing.api_keys import issue_key
from platform_plumbing.clock import SystemClock
from platform_plumbing.kafka_clients import KafkaAccess
from schemas.base import Event
from schemas.topics import COMPLIANCE, DECISIONS, REPLAYS, Directory
from services.intake.adapters.police_clients import PoliceClient, add_client
from services.intake.bootstrap import CONSUMER_GROUP, create_app
from services.intake.settings import IntakeSettings
from services.operations.dead_letters import request_replays
from tests.kafka_tools import PARTIES, cloud_event, committed_offsets, eventually, produce

FORCE = "cambridgeshire"


@dataclass
class RunningIntake:
    http: httpx.AsyncClient
    settings: IntakeSettings
    pool: object
    api_key: str
    kafka: KafkaAccess
    """The test's own Kafka access (the administrator's): it plays the police and compliance."""
    context: object = None
    """The running service's context, for a test that drives its consumer's handler itself."""
    sent: dict[str, int] = field(
        default_factory=lambda: {DECISIONS.named(FORCE): 0, COMPLIANCE.name: 0, REPLAYS.name: 0}
    )

    async def new_key(self, client_id: str, force_id: str, role: str = "police") -> str:
        async with self.pool.acquire() as connection:
            now = SystemClock().now()
            await add_client(connection, PoliceClient(client_id, force_id, client_id, role), now=now)
            return (await issue_key(connection, client_id, now=now)).api_key

    async def send(self, topic: str, *records) -> None:
        """Put raw records on `topic` (a catalogue name) and wait until intake has committed them all."""
        await produce(self.kafka, self.settings.topic(topic), list(records))
        self.sent[topic] += len(records)
        group = self.settings.topic(CONSUMER_GROUP)
        total = sum(self.sent.values())
        await eventually(lambda: _committed(self.kafka, group, total), timeout=60)

    async def replay(self, *letters: ConsumerRecord, operator: str = "operator:jsmith") -> None:
        """Ask intake to read `letters` again, as `diversion dlq replay` does, and wait until it has."""
        asked = await request_replays(
            self.kafka, list(letters), operator=operator, now=SystemClock().now(), prefix=self.settings.topic_prefix
        )
        self.sent[REPLAYS.name] += len(asked)
        group = self.settings.topic(CONSUMER_GROUP)
        await eventually(lambda: _committed(self.kafka, group, sum(self.sent.values())), timeout=60)

    async def follow(self, *events: Event) -> None:
        """Publish compliance's decisions, as compliance would, and wait until intake has applied them."""
        await self.send(COMPLIANCE.name, *(cloud_event(event, source="/diversion/compliance") for event in events))


async def _committed(kafka: KafkaAccess, group: str, count: int) -> bool:
    return await committed_offsets(kafka, group) >= count


@pytest.fixture
async def intake(settings, as_service, namespace, topics) -> RunningIntake:
    async for running in _running_intake(settings, as_service, namespace):
        yield running


SECOND_FORCE = "fixture-constabulary"
SECOND_FORCE_POLICY = Path(__file__).resolve().parents[2] / "fixtures" / "second-force-policy.yaml"


@pytest.fixture
async def two_force_intake(settings, as_service, namespace, topics) -> RunningIntake:
    """Intake serving Cambridgeshire and the second, smaller fixture force, each with its own topics and ACLs."""
    both = Directory(forces=(FORCE, SECOND_FORCE), agencies=PARTIES.agencies)
    await provide_topics(settings.kafka, both, settings.topic_prefix)
    policies = (IntakeSettings().intake_policy_files[0], SECOND_FORCE_POLICY)
    async for running in _running_intake(settings, as_service, namespace, intake_policy_files=policies):
        running.sent[DECISIONS.named(SECOND_FORCE)] = 0
        yield running
    await remove_topics(settings.kafka, both, settings.topic_prefix)


async def _running_intake(settings, as_service, namespace, **options):
    config = IntakeSettings(**as_service("intake"), intake_db_schema=namespace, **options)
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
            running = RunningIntake(
                http=http,
                settings=config,
                pool=app.state.pool,
                api_key="",
                kafka=settings.kafka,
                context=app.state.context,
            )
            running.api_key = await running.new_key("test-police", FORCE)
            http.headers["X-API-Key"] = running.api_key
            yield running
    await drop_schemas(settings.database_url, [namespace])
