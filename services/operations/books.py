"""Check the books: does every service believe the same about every case, condition, referral and programme
assessment, and did every safeguarding concern reach its force?

Compliance owns the lifecycles and the agencies' assessments; intake and the router hold copies they follow from
its events (the latest version of each referral's assessment). After any run — the demo, chaos, a day in production
— the copies must agree with the owner, the history compliance published must never cancel a referral its agency
had finished (completed, disengaged, breached), and each force's concerns topic must tell every concern compliance
holds, as it stands (waiting, or taken on). This reads each service's tables and the topics, and reports the totals
in and out and every disagreement (the first few of each kind, by id: never personal data).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import asyncpg

from platform_plumbing.kafka_clients import KafkaAccess
from schemas.topics import COMPLIANCE, CONCERNS
from services.operations.kafka_views import read_records

FINISHED_AT_THE_AGENCY = frozenset({"completed", "disengaged", "breached"})
_QUERIES = {
    ("cases", "compliance"): "SELECT case_id AS id, status FROM cases",
    ("cases", "intake"): "SELECT case_id AS id, status FROM cases WHERE status <> 'rejected'",
    ("cases", "router"): "SELECT case_id AS id, status FROM cases",
    ("conditions", "compliance"): "SELECT condition_id AS id, status FROM conditions",
    ("conditions", "intake"): "SELECT condition_id AS id, status FROM case_conditions",
    ("conditions", "router"): "SELECT condition_id AS id, status FROM case_conditions",
    ("referrals", "compliance"): "SELECT referral_id AS id, status FROM referrals",
    ("referrals", "intake"): "SELECT referral_id AS id, status FROM case_referrals",
    ("referrals", "router"): "SELECT referral_id AS id, status FROM referrals",
    ("assessments", "compliance"): (
        "SELECT referral_id AS id, 'version ' || max(version) AS status FROM programme_assessments GROUP BY referral_id"
    ),
    ("assessments", "intake"): "SELECT referral_id AS id, 'version ' || version AS status FROM programme_assessments",
    ("assessments", "router"): "SELECT found_by AS id, 'version ' || version AS status FROM programme_assessments",
}
RECORDS = ("cases", "conditions", "referrals", "assessments")
CONCERN_TYPES = {
    b"uk.police.diversion.concern.recorded.v1": "waiting",
    b"uk.police.diversion.concern.acknowledged.v1": "acknowledged",
}
"""A concern's standing by the last event its force's topic carries about it."""
SERVICES = ("compliance", "intake", "router")
"""Compliance first: the owner every other copy is compared with."""


@dataclass
class Books:
    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    """what -> service -> how many it holds (cases, conditions, referrals), plus the final statuses."""
    statuses: dict[str, Counter] = field(default_factory=dict)
    """what -> status -> how many, as compliance (the owner) holds them."""
    disagreements: dict[str, list[str]] = field(default_factory=dict)
    """kind of disagreement -> examples (ids and statuses only)."""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def disagreement_count(self) -> int:
        return sum(self.counts.values())

    def add(self, kind: str, example: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        examples = self.disagreements.setdefault(kind, [])
        if len(examples) < 5:
            examples.append(example)


async def check_books(
    database_url: str, schemas: Mapping[str, str], *, kafka: KafkaAccess | None = None, topic_prefix: str = ""
) -> Books:
    """Compare the three services' tables (`schemas`: service -> its schema) and, given a broker, the
    referral history compliance published."""
    books = Books()
    connection = await asyncpg.connect(database_url)
    try:
        for what in RECORDS:
            held = {
                service: await _statuses(connection, schemas[service], _QUERIES[what, service]) for service in SERVICES
            }
            books.totals[what] = {service: len(rows) for service, rows in held.items()}
            books.statuses[what] = Counter(held["compliance"].values())
            _compare(books, what, held)
        await connection.execute(f'SET search_path TO "{schemas["compliance"]}"')
        concerns = await connection.fetch(
            "SELECT concern_id, force_id, acknowledged_at IS NOT NULL AS taken FROM concerns"
        )
    finally:
        await connection.close()
    books.totals["concerns"] = {"compliance": len(concerns)}
    books.statuses["concerns"] = Counter("acknowledged" if row["taken"] else "waiting" for row in concerns)
    if kafka is not None:
        await _check_history(books, kafka, topic_prefix + COMPLIANCE.name)
        await _check_concerns(books, kafka, topic_prefix, concerns)
    return books


async def _statuses(connection: asyncpg.Connection, schema: str, query: str) -> dict[str, str]:
    await connection.execute(f'SET search_path TO "{schema}"')
    return {str(row["id"]): row["status"] for row in await connection.fetch(query)}


def _compare(books: Books, what: str, held: Mapping[str, Mapping[str, str]]) -> None:
    owner = held["compliance"]
    for service in SERVICES[1:]:
        copy = held[service]
        for record_id, status in owner.items():
            if record_id not in copy:
                books.add(f"{what} compliance holds that {service} does not", f"{record_id} ({status})")
            elif copy[record_id] != status:
                books.add(
                    f"{what} whose status {service} holds differently",
                    f"{record_id}: compliance {status}, {service} {copy[record_id]}",
                )
        for record_id in copy.keys() - owner.keys():
            books.add(f"{what} {service} holds that compliance does not", f"{record_id} ({copy[record_id]})")


async def _check_history(books: Books, kafka: KafkaAccess, topic: str) -> None:
    """No `cancelled` is ever published for a referral straight after its agency finished with it (a
    breached referral reinstated after a reasonable excuse is open again, and may be cancelled later).
    Changes are put in order by their sequence, so a redelivered event cannot confuse the check."""
    history: dict[str, dict[int, str]] = {}
    async for record in read_records(kafka, topic, follow=False):
        if dict(record.headers).get("ce_type") != b"uk.police.diversion.referral.changed.v1":
            continue
        change = json.loads(record.value)
        history.setdefault(change["referral_id"], {})[change["sequence"]] = change["status"]
    for referral, changes in history.items():
        statuses = [changes[sequence] for sequence in sorted(changes)]
        for before, after in zip(statuses, statuses[1:], strict=False):
            if after == "cancelled" and before in FINISHED_AT_THE_AGENCY:
                books.add("referrals cancelled after their agency finished", f"{referral} (was {before})")


async def _check_concerns(books: Books, kafka: KafkaAccess, prefix: str, held: list[asyncpg.Record]) -> None:
    """Every concern compliance holds is on its force's topic, standing as compliance says (waiting, taken on)."""
    told: dict[str, str] = {}
    for force in sorted({row["force_id"] for row in held}):
        async for record in read_records(kafka, prefix + CONCERNS.named(force), follow=False):
            standing = CONCERN_TYPES.get(dict(record.headers).get("ce_type", b""))
            if standing is not None and told.get(key := json.loads(record.value)["concern_id"]) != "acknowledged":
                told[key] = standing
    books.totals["concerns"]["force topics"] = len(told)
    for row in held:
        concern, standing = str(row["concern_id"]), "acknowledged" if row["taken"] else "waiting"
        if concern not in told:
            books.add("concerns compliance holds that no force topic told", f"{concern} ({standing})")
        elif told[concern] != standing:
            books.add("concerns whose force topic tells otherwise", f"{concern}: {standing}, topic {told[concern]}")
