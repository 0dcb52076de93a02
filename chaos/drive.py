"""The outside world during a chaos run: police sending decisions, agencies answering referrals,
a network that delivers some records twice and late, and someone sending records nobody can read."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from benchmarks.load import FORCE, agency_work, decision_record
from benchmarks.outside import Outside, RawHeaderName
from chaos.observe import IssuedReferral, Watcher
from chaos.plan import RESEND_SHARE, ChaosPlan, Poison
from platform_plumbing.kafka_clients import KafkaAccess
from schemas.envelope import encode
from schemas.topics import CASES, COMPLIANCE, REFERRALS
from services.operations.kafka_views import read_records

logger = logging.getLogger(__name__)


@dataclass
class Police:
    """Sends the plan's decisions wave by wave: shuffled in windows, one in ten twice. Poison goes in on the way."""

    plan: ChaosPlan
    run: str
    outside: Outside
    sent: int = 0
    poisoned: dict[tuple[str, int, int], str] = field(default_factory=dict)
    """Where each poison record landed -> its kind."""
    _poisons: list[Poison] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._poisons = sorted(self.plan.poisons, key=lambda poison: poison.at_share)

    @property
    def share_sent(self) -> float:
        return self.sent / len(self.plan.order)

    def reference(self, index: int) -> str:
        return f"13CH{self.run.upper()}{index:06d}"

    async def send(self, wave: tuple[int, ...]) -> None:
        """Send `wave` as fast as it goes, with any poison whose moment comes on the way."""
        for index in wave:
            while self._poisons and self._poisons[0].at_share <= self.share_sent:
                await self._poison(self._poisons.pop(0))
            key, headers, value = self._decision(index)
            await self.outside.as_police(FORCE, value, key=key, headers=headers)
            self.sent += 1
        if self.sent == len(self.plan.order):
            for poison in self._poisons:
                await self._poison(poison)
            self._poisons = []
        await self.outside.flush()

    def _decision(self, index: int) -> tuple[bytes, list, bytes]:
        """Decision `index`, the same CloudEvent (same id) each time it is sent."""
        event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"chaos/{self.run}/decision/{index}"))
        record = decision_record(
            self.reference(index), f"chaos-{self.run}-{index:06d}", event_id=event_id, source="/chaos/police"
        )
        return record.key, record.headers, record.value

    async def _poison(self, poison: Poison) -> None:
        """A poison record, sent by a force or an agency on its own topic (where the broker lets it write)."""
        key, headers, value = self._decision(0)
        key, headers, value = POISONING[poison.kind](key, headers, value)
        send = self.outside.as_police if poison.sender == "police" else self.outside.as_agency
        party = FORCE if poison.sender == "police" else POISONING_AGENCY
        metadata = await (await send(party, value, key=key, headers=headers))
        self.poisoned[(metadata.topic, metadata.partition, metadata.offset)] = poison.kind


def _header(headers: list, name: str, value: bytes) -> list:
    return [(n, value if n == name else v) for n, v in headers]


POISONING = {
    "invalid_json": lambda key, headers, value: (key, headers, value[: len(value) // 2]),
    "unknown_type": lambda key, headers, value: (
        key,
        _header(headers, "ce_type", b"uk.police.diversion.unknown.v1"),
        value,
    ),
    "missing_field": lambda key, headers, value: (key, headers, b"{}"),
    "no_envelope": lambda key, headers, value: (key, [], value),
    "type_not_utf8": lambda key, headers, value: (key, _header(headers, "ce_type", b"\xff\xfe\xfa"), value),
    "id_of_6000_characters": lambda key, headers, value: (key, _header(headers, "ce_id", b"x" * 6000), value),
    "record_of_300_kb": lambda key, headers, value: (key, headers, value[:-1] + b', "pad": "' + b"z" * 300_000 + b'"}'),
    "nested_50000_deep": lambda key, headers, value: (key, headers, b"[" * 50_000 + b"]" * 50_000),
    "header_name_not_utf8": lambda key, headers, value: (key, [*headers, (RawHeaderName(b"\xff\xfe"), b"x")], value),
    "number_of_5000_digits": lambda key, headers, value: (
        key,
        headers,
        value.replace(b'"age_at_offence":', b'"age_at_offence":' + b"9" * 5000 + b',"x":', 1),
    ),
    "another_types_body": lambda key, headers, value: (key, headers, b'{"case_id": "' + key + b'", "status": "open"}'),
}
"""How each kind of poison record is made from a good one."""
ASSESSED_EVERY = 10
"""One referral in this many gets the agency's own assessment (books: compared in all three services)."""
CONCERN_EVERY = 100
"""One referral in this many gets a safeguarding concern (books: compared with the force's concerns topic)."""
POISONING_AGENCY = "brighter-tomorrows"
"""The agency whose updates topic the agency-side poison goes on."""


@dataclass
class Agencies:
    """Do every referral's work (accepted, a caseworker, first contact, an action plan, the end-of-service report,
    completion) as soon as it is seen on Kafka — often before compliance has read it, so the updates overtake it.
    Some send the caseworker and first contact before the acceptance; one referral in ten is answered twice, the
    second time a little later."""

    plan: ChaosPlan
    watcher: Watcher
    outside: Outside
    """Each agency answers as itself, on its own updates topic."""
    answered: int = 0

    async def answer_forever(self) -> None:
        resend: list[tuple] = []
        while True:
            await asyncio.sleep(0.2)
            for record in resend:
                await self.outside.as_agency(record[0], record[1], key=record[2], headers=record[3])
            resend = []
            while self.answered < len(self.watcher.issued):
                records = self._answers(self.watcher.issued[self.answered], self.answered)
                for record in records:
                    await self.outside.as_agency(record[0], record[1], key=record[2], headers=record[3])
                if self.answered in self.plan.resend_updates:
                    resend.extend(records)
                self.answered += 1

    def _answers(self, referral: IssuedReferral, number: int) -> list[tuple]:
        now = datetime.now(UTC)
        common = {
            "case_id": referral.case_id,
            "referral_id": referral.referral_id,
            "agency_id": referral.agency_id,
            "occurred_at": now,
        }
        updates = agency_work(
            common,
            referral.need,
            first_contact_first=number in self.plan.reversed_updates,
            assessed=number % ASSESSED_EVERY == 0,
            concern=number % CONCERN_EVERY == 0,
        )
        records = []
        for update in updates:
            encoded = encode(
                update,
                event_id=str(uuid.uuid4()),
                source=f"/chaos/{referral.agency_id}",
                time=now,
                key=referral.case_id,
            )
            records.append((referral.agency_id, encoded.value, encoded.key, encoded.headers))
        return records


async def redeliver_forever(admin: KafkaAccess, prefix: str, seed: int, kafka: AIOKafkaProducer) -> None:
    """Send one in ten of the platform's own events again, late: a redelivery inside the platform (as the
    administrator: a network or a broker repeating a record, not someone impersonating a service)."""
    topics = [prefix + t.name for t in (CASES, REFERRALS, COMPLIANCE)]
    resent: set[bytes] = set()
    pending: set[asyncio.Task] = set()
    try:
        async for record in read_records(admin, *topics, follow=True, idle_ms=500):
            event_id = dict(record.headers).get("ce_id", b"")
            if event_id in resent or random.Random(f"{seed}:{event_id!r}").random() >= RESEND_SHARE:
                continue
            resent.add(event_id)
            delay = random.Random(f"{seed}:{event_id!r}:delay").uniform(0.2, 2.0)  # late: behind newer records
            task = asyncio.create_task(_send_later(kafka, record, delay))
            pending.add(task)
            task.add_done_callback(pending.discard)
    finally:
        for task in list(pending):
            task.cancel()


async def _send_later(kafka: AIOKafkaProducer, record, delay: float) -> None:
    await asyncio.sleep(delay)
    await kafka.send(record.topic, record.value, key=record.key, headers=list(record.headers))
