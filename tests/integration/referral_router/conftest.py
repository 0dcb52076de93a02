"""The router running in-process on the test's own topics and schema, with a hand-moved clock.

Tests play intake and compliance: they put case events, and compliance's decisions about referrals
and cases, on the topics as those would, and read what the router publishes with an independent
consumer.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import pytest

from deploy.local_stack.processes import drop_schemas
from platform_plumbing.kafka_clients import KafkaAccess
from schemas.envelope import decode, encode
from schemas.events import CaseOpened, CaseStatusChanged, NeedsAssessed, ReferralIssued, ReferralStatusChanged
from schemas.registry import EVENT_TYPES
from schemas.topics import CASES, COMPLIANCE, REFERRALS
from services.referral_router.bootstrap import CONSUMER_GROUP, create_app
from services.referral_router.settings import REPO_ROOT, RouterSettings
from tests.fake_clock import FakeClock
from tests.kafka_tools import committed_offsets, eventually, outbox_drained, produce, read_topic
from tests.sealing import scratch_keys, sealed

CATALOGUE = REPO_ROOT / "deploy" / "agencies" / "catalogue.yaml"


PERSONAL = {
    "given_name": "Sam",
    "family_name": "Example",
    "date_of_birth": "1996-01-02",
    "phone": "+44 7700 900456",
    "email": "sam@example.org",
    "postcode": "PE1 1HF",
}


@dataclass
class RunningRouter:
    settings: RouterSettings
    pool: asyncpg.Pool
    clock: FakeClock
    app: object
    kafka: KafkaAccess
    """The test's own Kafka access (the administrator's): it plays intake and compliance."""
    sent: int = 0
    sealed: dict[uuid.UUID, dict[str, str]] = field(default_factory=dict)
    """Each case's personal details as intake sealed them."""
    wrapped: dict[uuid.UUID, bytes] = field(default_factory=dict)

    def opened(self, referral) -> dict[str, str]:
        """The plain values of the sealed fields a referral carries (as compliance would open them)."""
        return (
            scratch_keys()
            .unwrap(referral.case_id, self.wrapped[referral.case_id])
            .open(referral.personal.model_dump(exclude_none=True))
        )

    async def send(self, topic: str, *messages) -> None:
        records = []
        for message in messages:
            encoded = encode(
                message, event_id=str(uuid.uuid4()), source="/tests", time=datetime.now(UTC), key=str(message.case_id)
            )
            records.append((encoded.key, encoded.headers, encoded.value))
        await produce(self.kafka, self.settings.topic(topic), records)
        self.sent += len(records)
        await self.settled()

    async def send_raw(self, topic: str, *records) -> None:
        """Put raw (key, headers, value) records on `topic` (a catalogue name) and wait until they are committed."""
        await produce(self.kafka, self.settings.topic(topic), list(records))
        self.sent += len(records)
        await self.settled()

    async def settled(self) -> None:
        """Wait until the router has committed everything sent so far (its DB commit came first)."""
        group = self.settings.topic(CONSUMER_GROUP)
        await eventually(lambda: _committed_at_least(self.kafka, group, self.sent), timeout=60)

    async def open_case(self, *needs: tuple[str, str], conditions=(), **profile) -> uuid.UUID:
        """Open a case with these (category, severity) needs assessed with the decision."""
        opened = self.case_opened(*needs, conditions=conditions, **profile)
        await self.send(CASES.name, opened)
        return opened.case_id

    def case_opened(self, *needs: tuple[str, str], conditions=(), **profile) -> CaseOpened:
        """The CaseOpened event intake would publish for a case with these (category, severity) needs."""
        case_id = uuid.uuid4()
        self.sealed[case_id], self.wrapped[case_id] = sealed(case_id, PERSONAL)
        opened = CaseOpened.model_validate(
            {
                "case_id": str(case_id),
                "subject_ref": "subj-" + case_id.hex[:10],
                "force_id": "cambridgeshire",
                "police_reference": "13YE" + case_id.hex[:7].upper(),
                "disposal_type": "adult_conditional_caution",
                "offence_category": "theft",
                "gravity_score": 2,
                "age_at_offence": 30,
                "sex": "male",
                "area": "peterborough",
                "domestic_abuse": False,
                "decided_at": "2026-03-02T09:00:00+00:00",
                "complete_by": "2026-06-22",
                "personal": self.sealed[case_id],
                "needs": [{"category": category, "severity": severity} for category, severity in needs],
                "conditions": list(conditions),
                **profile,
            }
        )
        return opened

    async def compliance_says(self, referral, status: str, *, sequence: int = 2) -> None:
        """Compliance's change to a referral the router placed, as compliance publishes it."""
        await self.send(
            COMPLIANCE.name,
            ReferralStatusChanged(
                case_id=referral.case_id,
                referral_id=referral.referral_id,
                agency_id=referral.agency_id,
                needs=[need.category for need in referral.needs],
                status=status,
                previous_status="issued",
                sequence=sequence,
                changed_at=self.clock.now(),
            ),
        )

    async def case_becomes(self, case_id: uuid.UUID, status: str, *, sequence: int = 1) -> None:
        await self.send(
            COMPLIANCE.name,
            CaseStatusChanged(
                case_id=case_id,
                force_id="cambridgeshire",
                police_reference="13YE0000001",
                disposal_type="adult_conditional_caution",
                status=status,
                previous_status="open",
                complete_by="2026-06-22",
                sequence=sequence,
                changed_at=self.clock.now(),
            ),
        )

    async def status_of(self, referral_id: uuid.UUID) -> str:
        return await self.pool.fetchval("SELECT status FROM referrals WHERE referral_id = $1", referral_id)

    async def reassess(self, case_id: uuid.UUID, *needs: tuple[str, str]) -> None:
        await self.send(
            CASES.name,
            NeedsAssessed(
                case_id=case_id,
                assessed_at=datetime(2026, 3, 9, tzinfo=UTC),
                needs=[{"category": c, "severity": s} for c, s in needs],
            ),
        )

    async def published(self, case_id: uuid.UUID | None = None) -> list[tuple[str, object]]:
        """What the router has published on the referrals topic, as (type, payload), once its outbox is sent."""
        topic = self.settings.topic(REFERRALS.name)
        await eventually(lambda: outbox_drained(self.pool))
        expected = await self.pool.fetchval("SELECT count(*) FROM outbox WHERE topic = $1", topic)
        records = await read_topic(self.kafka, topic, at_least=expected)
        # at least once: a record re-sent by a relay keeps its CloudEvents id, as consumers dedupe on
        decoded = {a.id: (a, p) for a, p in (decode(r.headers, r.value, EVENT_TYPES) for r in records)}
        events = [(a.type, p) for a, p in decoded.values()]
        return [(t, p) for t, p in events if case_id is None or p.case_id == case_id]

    async def issued(self, case_id: uuid.UUID) -> list[ReferralIssued]:
        return [p for t, p in await self.published(case_id) if t == ReferralIssued.event_type]


async def _committed_at_least(kafka: KafkaAccess, group: str, count: int) -> bool:
    return await committed_offsets(kafka, group) >= count


def router_settings(as_service, namespace: str, catalogue_file) -> RouterSettings:
    return RouterSettings(
        **as_service("referral_router"),
        router_db_schema=namespace,
        router_catalogue_file=catalogue_file,
        router_catalogue_check_seconds=3600,
    )


@pytest.fixture
def catalogue_file(tmp_path):
    copy = tmp_path / "catalogue.yaml"
    shutil.copy(CATALOGUE, copy)
    return copy


@pytest.fixture
async def router(settings, as_service, namespace, catalogue_file, topics) -> RunningRouter:
    config = router_settings(as_service, namespace, catalogue_file)
    clock = FakeClock()
    app = create_app(config, clock=clock)
    async with app.router.lifespan_context(app):
        yield RunningRouter(settings=config, pool=app.state.pool, clock=clock, app=app, kafka=settings.kafka)
    await drop_schemas(settings.database_url, [namespace])
