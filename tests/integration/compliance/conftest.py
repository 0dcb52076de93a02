"""Compliance in-process on the test's own topics and schema, with a hand-moved clock.

Tests play intake and the router (case and referral events on Kafka) and the agencies (over
HTTP with their own keys, or on Kafka), and read outcomes with an independent consumer.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import asyncpg
import httpx
import pytest
import uvicorn
from aiokafka.structs import ConsumerRecord

from deploy.local_stack import fake_notify as notify_fake
from deploy.local_stack.processes import drop_schemas
from platform_plumbing.api_keys import issue_key
from platform_plumbing.kafka_clients import KafkaAccess
from schemas.envelope import decode, encode
from schemas.events import CaseOpened, ReferralIssued
from schemas.registry import MESSAGE_TYPES
from schemas.topics import CASES, COMPLIANCE, REFERRALS
from services.compliance.adapters.gateway_clients import GatewayClient, add_client
from services.compliance.bootstrap import CONSUMER_GROUP, create_app
from services.compliance.settings import ComplianceSettings
from services.operations.dead_letters import request_replays
from tests.accounts import add_account
from tests.agency_work import report_the_work
from tests.fake_clock import FakeClock
from tests.kafka_tools import committed_offsets, eventually, outbox_drained, produce, read_topic
from tests.sealing import keep_key, sealed, service_keys

AGENCIES = ("brighter-tomorrows", "substance-misuse-treatment")
ISSUED_AT = "2026-03-02T08:00:00+00:00"
"""An hour before the test clock starts: updates are dated between the two."""


PERSONAL = {"given_name": "Alex", "family_name": "Example", "date_of_birth": "1990-05-17", "phone": "+44 7700 900123"}
"""What each test case's referrals are issued with (sealed as intake seals it)."""


def agency_condition(need: str) -> dict:
    return {
        "kind": "rehabilitative",
        "description": f"work on {need}",
        "evidence": "completion",
        "reported_by": "agency",
        "addresses_need": need,
    }


@dataclass
class CaseUnderTest:
    case_id: uuid.UUID
    referrals: dict[str, uuid.UUID]
    conditions: list[uuid.UUID]
    issued: list = field(default_factory=list)
    """The ReferralIssued events, for a test that sends them itself (`open_case(send_referrals=False)`)."""
    opened: object = None
    """The CaseOpened event, likewise (`open_case(send_case=False)`)."""


@dataclass
class RunningCompliance:
    http: httpx.AsyncClient
    settings: ComplianceSettings
    pool: asyncpg.Pool
    clock: FakeClock
    app: object
    kafka: KafkaAccess
    """The test's own Kafka access (the administrator's): it plays the other services, agencies and police."""
    admin_url: str
    """The database administrator's: the test plays intake keeping each case's data key."""
    keys: dict[str, str] = field(default_factory=dict)
    sent: int = 0

    async def add_client(self, client_id: str, agency: str | None) -> None:
        """A gateway client with a key: an agency's, or the operations team's (`agency` None)."""
        role = "agency" if agency else "operations"
        async with self.pool.acquire() as connection:
            await add_client(connection, GatewayClient(client_id, role, agency, client_id), now=self.clock.now())
            self.keys[client_id] = (await issue_key(connection, client_id, now=self.clock.now())).api_key

    def as_agency(self, agency_id: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[agency_id]}

    async def send(self, topic: str, *messages, source: str = "/tests", settle: bool = True) -> None:
        """Send `messages` on `topic` and, unless `settle` is False, wait until compliance has committed them."""
        records = []
        for message in messages:
            encoded = encode(
                message, event_id=str(uuid.uuid4()), source=source, time=datetime.now(UTC), key=str(message.case_id)
            )
            records.append((encoded.key, encoded.headers, encoded.value))
        await produce(self.kafka, self.settings.topic(topic), records)
        self.sent += len(records)
        if settle:
            await self.settled()

    async def replay(self, *letters: ConsumerRecord, operator: str = "operator:jsmith") -> None:
        """Ask for `letters` to be read again, as `diversion dlq replay` does, and wait until compliance has."""
        asked = await request_replays(
            self.kafka, list(letters), operator=operator, now=self.clock.now(), prefix=self.settings.topic_prefix
        )
        self.sent += len(asked)
        await self.settled()

    async def settled(self) -> None:
        """Wait until compliance has committed everything the test sent on its topics."""
        group = self.settings.topic(CONSUMER_GROUP)
        await eventually(lambda: _committed(self.kafka, group, self.sent), timeout=60)

    async def open_case(
        self,
        disposal: str = "adult_conditional_caution",
        complete_by: date = date(2026, 6, 22),
        referrals: dict[str, list[str]] | None = None,
        subject_ref: str | None = None,
        decided_at: str = "2026-03-02T09:00:00+00:00",
        send_case: bool = True,
        send_referrals: bool = True,
        conditions: list[dict] | None = None,
        contact: dict | None = None,
        **profile,
    ) -> CaseUnderTest:
        """A case with one agency condition per referral need (unless `conditions` are given), and its
        referrals issued — each as the router would publish it; `profile` overrides the case opened's fields
        (`age_at_offence`, `victim_views`, …)."""
        referrals = referrals or {
            "brighter-tomorrows": ["women_specific_support"],
            "substance-misuse-treatment": ["alcohol_misuse"],
        }
        case_id = uuid.uuid4()
        needs = [need for agency_needs in referrals.values() for need in agency_needs]
        terms = conditions if conditions is not None else [agency_condition(need) for need in needs]
        condition_ids = [uuid.uuid4() for _ in terms]
        opened = CaseOpened.model_validate(
            {
                "case_id": str(case_id),
                "subject_ref": subject_ref or "subj-" + case_id.hex[:10],
                "force_id": "cambridgeshire",
                "police_reference": "13YE" + case_id.hex[:7].upper(),
                "disposal_type": disposal,
                "offence_category": "theft",
                "gravity_score": 2,
                "age_at_offence": 30,
                "sex": "female",
                "area": "peterborough",
                "domestic_abuse": False,
                "decided_at": decided_at,
                "complete_by": complete_by.isoformat(),
                "personal": None,
                "conditions": [
                    {"condition_id": str(c), **condition} for c, condition in zip(condition_ids, terms, strict=True)
                ],
                **profile,
            }
        )
        ids = {agency: uuid.uuid4() for agency in referrals}
        personal, wrapped = sealed(case_id, PERSONAL | (contact or {}), service_keys())
        await keep_key(self.admin_url, case_id, wrapped)
        issued = [
            ReferralIssued.model_validate(
                {
                    "case_id": str(case_id),
                    "referral_id": str(ids[agency]),
                    "agency_id": agency,
                    "needs": [{"category": n, "severity": "medium"} for n in agency_needs],
                    "delivery_mode": "face_to_face",
                    "explanation": "chosen in a test",
                    "issued_at": ISSUED_AT,
                    "respond_by": "2026-03-09T09:00:00+00:00",
                    "brief": {"disposal_type": disposal, "complete_by": complete_by.isoformat()},
                    "personal": personal,
                }
            )
            for agency, agency_needs in referrals.items()
        ]
        if send_case:
            await self.send(CASES.name, opened)
        if send_referrals:
            await self.send(REFERRALS.name, *issued)
        return CaseUnderTest(case_id, ids, condition_ids, issued, opened)

    async def post(self, agency: str, referral: uuid.UUID, action: str, body: dict | None = None) -> httpx.Response:
        return await self.http.post(
            f"/v1/referrals/{referral}/{action}", json=body or {}, headers=self.as_agency(agency)
        )

    async def report_the_work(self, agency: str, referral: uuid.UUID, outcome: str = "achieved") -> None:
        """The plan and the end-of-service report, without which the agency cannot complete the referral."""

        def caller(client: str):
            return lambda method, path, body: self.http.request(method, path, json=body, headers=self.as_agency(client))

        await report_the_work(caller(agency), caller("ops"), referral, outcome)

    async def changes(self, case_id: uuid.UUID) -> list[tuple[str, str]]:
        """What compliance published about the case, in order: (`referral`/`condition`/`case`, new status)."""
        return [
            (kind.split(".")[0], event.status.value)
            for kind, event in await self.outcomes(case_id)
            if kind.endswith(".changed")
        ]

    async def outcomes(self, case_id: uuid.UUID | None = None) -> list[tuple[str, object]]:
        topic = self.settings.topic(COMPLIANCE.name)
        await eventually(lambda: outbox_drained(self.pool))
        expected = await self.pool.fetchval("SELECT count(*) FROM outbox WHERE topic = $1", topic)
        records = await read_topic(self.kafka, topic, at_least=expected)
        # at least once: a record re-sent by a relay keeps its CloudEvents id, as consumers dedupe on
        decoded = {a.id: (a, p) for a, p in (decode(r.headers, r.value, MESSAGE_TYPES) for r in records)}
        events = [(a.type.split(".")[-3] + "." + a.type.split(".")[-2], p) for a, p in decoded.values()]
        return [(t, p) for t, p in events if case_id is None or p.case_id == case_id]


async def _committed(kafka: KafkaAccess, group: str, count: int) -> bool:
    return await committed_offsets(kafka, group) >= count


@pytest.fixture(scope="session")
def fake_notify() -> Iterator[str]:
    """The local fake GOV.UK Notify, served over HTTP in a thread for the session: its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(notify_fake.create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
async def compliance(settings, as_service, namespace, topics, fake_notify) -> RunningCompliance:
    config = ComplianceSettings(
        **as_service("compliance"),
        compliance_db_schema=namespace,
        compliance_sweep_seconds=3600,
        notify_api_key=notify_fake.DEVELOPMENT_KEY,
        notify_base_url=fake_notify,
    )
    clock = FakeClock()
    app = create_app(config, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://compliance") as http:
            running = RunningCompliance(
                http=http,
                settings=config,
                pool=app.state.pool,
                clock=clock,
                app=app,
                kafka=settings.kafka,
                admin_url=settings.database_url,
            )
            for client_id, agency in [*((a, a) for a in AGENCIES), ("ops", None)]:
                await running.add_client(client_id, agency)
            yield running
    await drop_schemas(settings.database_url, [namespace])


async def add_person(compliance: RunningCompliance, email: str, role: str, agency: str | None = None) -> str:
    """An account for the web pages; its password."""
    async with compliance.pool.acquire() as connection:
        return await add_account(connection, email, role, agency, now=compliance.clock.now())


@pytest.fixture
async def served(compliance):
    """The test's compliance app over real HTTP (for a browser), in the test's own event loop, where its pool lives."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(compliance.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    serving = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving
