"""Watching the platform from outside: what it published, and how far each consumer group got."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from aiokafka.errors import KafkaError

from chaos.verdict import Published
from platform_plumbing import dead_letters
from platform_plumbing.kafka_clients import KafkaAccess
from schemas.envelope import decode
from schemas.registry import EVENT_TYPES
from schemas.topics import CASES, COMPLIANCE, DEAD_LETTERS, REFERRALS
from services.operations.kafka_views import group_positions, read_records

logger = logging.getLogger(__name__)
OUTCOMES = ("case.changed.v1",)
"""Compliance's changes to a case: in a chaos run every case goes from open to completed, once."""


@dataclass(frozen=True)
class IssuedReferral:
    case_id: str
    referral_id: str
    agency_id: str
    need: str


@dataclass
class Watcher:
    """Reads the platform's output topics from the beginning, for as long as the run lasts."""

    kafka: KafkaAccess
    prefix: str
    published: Published = field(default_factory=Published)
    issued: list[IssuedReferral] = field(default_factory=list)
    """Referrals in order of first sight: the agencies answer them in this order."""
    _seen: set[str] = field(default_factory=set)

    async def run(self) -> None:
        topics = [self.prefix + t.name for t in (CASES, REFERRALS, COMPLIANCE, DEAD_LETTERS)]
        async for record in read_records(self.kafka, *topics, follow=True, idle_ms=200):
            self._note(record)

    def _note(self, record) -> None:
        if record.topic == self.prefix + DEAD_LETTERS.name:
            headers = {name: (value or b"").decode(errors="replace") for name, value in record.headers}
            origin = (
                headers[dead_letters.ORIGIN_TOPIC],
                int(headers[dead_letters.ORIGIN_PARTITION]),
                int(headers[dead_letters.ORIGIN_OFFSET]),
            )
            self.published.dead_letters[origin] = (headers[dead_letters.ERROR_CLASS], headers[dead_letters.REASON])
            return
        attributes, event = decode(record.headers, record.value, EVENT_TYPES)
        if attributes.id in self._seen:
            self.published.redeliveries += 1
            return
        self._seen.add(attributes.id)
        kind = attributes.type
        if kind.endswith("case.opened.v1"):
            self.published.cases.setdefault(event.police_reference, set()).add(str(event.case_id))
        elif kind.endswith("referral.issued.v1"):
            case_id, referral_id = str(event.case_id), str(event.referral_id)
            self.published.referrals.setdefault(case_id, set()).add(referral_id)
            self.issued.append(IssuedReferral(case_id, referral_id, event.agency_id, event.needs[0].category))
        elif kind.endswith(OUTCOMES):
            self.published.outcomes.setdefault(str(event.case_id), set()).add(attributes.id)


async def positions_when_possible(kafka: KafkaAccess, groups: dict[str, list[str]]) -> dict | None:
    """`group_positions`, or None while the cluster cannot answer (a broker just died)."""
    try:
        return await asyncio.wait_for(group_positions(kafka, groups), timeout=15)
    except (KafkaError, TimeoutError, OSError) as error:
        logger.info("group positions unavailable for now: %s", type(error).__name__)
        return None


def lagging(positions: dict) -> list[str]:
    return [f"{group} {tp.topic}[{tp.partition}]" for (group, tp), (done, end) in positions.items() if done < end]


async def cancel(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
