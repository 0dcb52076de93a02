"""The audit trail each service keeps of what it does with personal data (DPA 2018 s.62): collection,
consultation, disclosure, alteration, erasure, and the issue, rotation and revocation of keys — who,
when, what (field names, never values), about which case or referral, to whom, and why, from a fixed
list of purposes.

Rows go into the service's `audit_log` in the same transaction as the act they record, so an act whose
record could not be written does not happen. The runtime role may only INSERT and SELECT there.

**Tamper evidence.** A sealer (`seal`, run by every replica, one at a time) chains the rows: each gets
an `audit_chain` row holding the SHA-256 of the previous link and of its own contents. Writers never
wait for each other; the chain follows the order in which rows were sealed, which is at most a few
seconds behind. A row's id is taken before its transaction commits, so a row can become visible after
one with a larger id was sealed: the sealer therefore seals a row only once every transaction older
than the row's own is over (`tx`, its transaction's id, below the oldest still running), in (tx, id)
order, carrying on from the last row it sealed — an index range, however long the trail has grown.
`verify` recomputes the chain and names the first row whose contents, link or presence no longer match
— an edit, a deletion or a reordering by anyone, a superuser included, shows.
(A superuser could rewrite the whole chain after a row; copying `audit_chain`'s last hash somewhere
else, as `diversion audit verify` prints it, pins it.)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

import asyncpg

from platform_plumbing.pending_writes import PendingWrites

logger = logging.getLogger(__name__)


class Action(StrEnum):
    COLLECTION = "collection"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    ALTERATION = "alteration"
    ERASURE = "erasure"
    KEY_ISSUE = "key_issue"
    KEY_ROTATE = "key_rotate"
    KEY_REVOKE = "key_revoke"
    REPLAY = "replay"
    """A dead letter read again at the operations team's request and applied as its original sender's."""


class Purpose(StrEnum):
    """Why personal data was processed: a fixed list, so that the log can be read by purpose."""

    DIVERSION_DECISION = "diversion_decision"
    """The police record a diversion decision, or change one (conditions, deadlines, breach decisions)."""
    REFERRAL = "referral"
    """Placing a person's needs with a partner agency, which is told what it needs to work with them."""
    ARRANGING_CONTACT = "arranging_contact"
    DELIVERING_INTERVENTION = "delivering_intervention"
    REPORTING_PROGRESS = "reporting_progress"
    COMPLIANCE_MONITORING = "compliance_monitoring"
    """Tracking conditions and referrals to completion or breach, and reporting on it to the police."""
    OPERATIONS_SUPPORT = "operations_support"
    """The operations team looking into a record to keep the platform running (a dead letter, a replay)."""
    STATISTICS = "statistics"
    KEY_MANAGEMENT = "key_management"
    ERASURE_REQUEST = "erasure_request"
    RETENTION = "retention"
    SAFEGUARDING = "safeguarding"
    """A concern that someone is at risk, for the police to act on."""
    APPOINTMENT_REMINDER = "appointment_reminder"
    """Reminding the person of an appointment, through GOV.UK Notify."""
    ACCOUNT_MANAGEMENT = "account_management"
    """Creating or disabling a member of staff's account for the web pages."""


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    """Who: a client id, a Kafka principal, or `operator:<login>` for a command run by a person."""
    action: Action
    purpose: Purpose
    at: datetime
    case_id: UUID | None = None
    referral_id: UUID | None = None
    recipient: str | None = None
    """To whom it was disclosed, or for whom a key was issued."""
    fields: tuple[str, ...] = ()
    """Which fields of personal data: names only."""
    detail: str = ""
    """What, in a few words that hold no personal data (`referral.accept`, `breach decision`)."""
    replayed_by: str | None = None
    """The operator (`operator:<login>`) at whose request a dead letter was read again and applied as the
    `actor`'s; rows queued while a replayed record is handled get it without asking (`replaying`)."""


_COLUMNS = (
    "at",
    "actor",
    "action",
    "purpose",
    "case_id",
    "referral_id",
    "recipient",
    "fields",
    "detail",
    "replayed_by",
)
_HASHED_WHEN_SET = frozenset({"replayed_by"})
"""Columns added after rows were sealed: a row hashes them only when it has a value, so older links still match."""
_REPLAYED_BY: ContextVar[str | None] = ContextVar("replayed_by", default=None)


@contextlib.contextmanager
def replaying(operator: str | None) -> Iterator[None]:
    """While a replayed record is handled, every row queued names `operator` beside its actor: the handlers
    record what the original sender did as they always do, and the trail shows who had it done again."""
    token = _REPLAYED_BY.set(operator)
    try:
        yield
    finally:
        _REPLAYED_BY.reset(token)


def queue(writes: PendingWrites, *entries: AuditEntry) -> None:
    """Queue `entries` with the rest of a transaction's appended rows (see `pending_writes`)."""
    writes.add(
        "audit_log",
        _COLUMNS,
        [
            (
                e.at,
                e.actor,
                e.action.value,
                e.purpose.value,
                e.case_id,
                e.referral_id,
                e.recipient,
                list(e.fields),
                e.detail,
                e.replayed_by or _REPLAYED_BY.get(),
            )
            for e in entries
        ],
    )


async def record(connection: asyncpg.Connection, *entries: AuditEntry) -> None:
    """Write `entries` now, in the caller's transaction."""
    writes = PendingWrites()
    queue(writes, *entries)
    await writes.flush(connection)


OPERATIONS_SCHEMA = "operations"
"""Where the operations team's own acts are recorded (their CLI's reads of Kafka, replays)."""
TRAIL_TABLES = """
CREATE TABLE IF NOT EXISTS audit_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    purpose     text        NOT NULL,
    case_id     uuid,
    referral_id uuid,
    recipient   text,
    fields      text[]      NOT NULL DEFAULT '{}',
    detail      text        NOT NULL DEFAULT '',
    tx          xid8        NOT NULL DEFAULT pg_current_xact_id(),
    replayed_by text
);
CREATE TABLE IF NOT EXISTS audit_chain (
    chain_seq bigint      PRIMARY KEY,
    audit_id  bigint      NOT NULL UNIQUE,
    prev_hash bytea       NOT NULL,
    row_hash  bytea       NOT NULL,
    sealed_at timestamptz NOT NULL
);
-- a trail made before rows carried their transaction (see the services' audit_sealing_order migrations)
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS tx xid8 NOT NULL DEFAULT pg_current_xact_id();
UPDATE audit_log a SET tx = '0'
 WHERE tx = pg_current_xact_id() AND EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id);
CREATE INDEX IF NOT EXISTS audit_log_sealing_order ON audit_log (tx, id);
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS replayed_by text;
"""
"""The trail's tables, for a schema no service migrates (the operations team's)."""
VERIFIER_READS = {
    "audit_log": ("id", *_COLUMNS),
    "audit_chain": ("chain_seq", "audit_id", "prev_hash", "row_hash", "sealed_at"),
}
"""What `diversion audit verify` (the operations role) reads of each service's trail."""
GENESIS = b"\x00" * 32
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
SEAL_LOCK = "audit.seal"
_LAST_LINK = (
    "SELECT c.chain_seq, c.row_hash, c.audit_id, a.tx FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id"
    " ORDER BY c.chain_seq DESC LIMIT 1"
)
_NEXT_TO_SEAL = f"""
SELECT id, {", ".join(_COLUMNS)} FROM audit_log a
 WHERE (tx, id) > ($1::xid8, $2::bigint)
   AND tx < pg_snapshot_xmin(pg_current_snapshot())
   AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)
 ORDER BY tx, id LIMIT $3
"""
"""The rows to seal next: after the last one sealed in (tx, id) order, written by transactions older than
any still running (none of those can still add a row before them). The NOT EXISTS only guards a chain whose
last row was deleted by hand, where the sealer starts from the beginning (`verify` names the deletion)."""


def row_hash(previous: bytes, row: asyncpg.Record | dict) -> bytes:
    """SHA-256 over the previous link and the row's every column, in a canonical JSON form."""
    contents = {
        "id": row["id"],
        **{c: row[c] for c in _COLUMNS if c not in _HASHED_WHEN_SET or row[c] is not None},
    }
    canonical = json.dumps(contents, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(previous + canonical).digest()


async def seal(connection: asyncpg.Connection, *, now: datetime, limit: int = 1000) -> int:
    """Chain the rows not chained yet whose transactions, and every older one, are over, in (tx, id) order;
    returns how many. Only one replica seals a schema at a time (the others return 0 at once)."""
    async with connection.transaction():
        if not await connection.fetchval(
            "SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || $1))", SEAL_LOCK
        ):
            return 0
        last = await connection.fetchrow(_LAST_LINK)
        after = (last["tx"], last["audit_id"]) if last and last["tx"] is not None else (0, 0)
        rows = await connection.fetch(_NEXT_TO_SEAL, *after, limit)
        sequence, previous = (last["chain_seq"], bytes(last["row_hash"])) if last else (0, GENESIS)
        links = []
        for row in rows:
            sequence += 1
            current = row_hash(previous, row)
            links.append((sequence, row["id"], previous, current, now))
            previous = current
        if links:
            await connection.copy_records_to_table(
                "audit_chain", records=links, columns=("chain_seq", "audit_id", "prev_hash", "row_hash", "sealed_at")
            )
        return len(links)


async def seal_all_written(connection: asyncpg.Connection, *, now: datetime, timeout: float = 5.0) -> int:
    """Seal every row written before the call, waiting up to `timeout` for the transactions older than it to
    end: for a writer that seals its own rows at once (the operations CLI, which runs no sealer)."""
    horizon = await connection.fetchval("SELECT pg_snapshot_xmax(pg_current_snapshot())")
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline and (
        await connection.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())") < horizon
    ):
        await asyncio.sleep(0.05)
    sealed = 0
    while chained := await seal(connection, now=now):
        sealed += chained
    return sealed


async def seal_forever(pool: asyncpg.Pool, every_seconds: float) -> None:
    """Seal what has been written, every `every_seconds`, until cancelled; a failure is logged and retried."""
    while True:
        try:
            async with pool.acquire() as connection:
                while await seal(connection, now=datetime.now(UTC)):
                    pass
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            logger.warning("audit sealing failed, will retry: %s", type(error).__name__)
        await asyncio.sleep(every_seconds)


@dataclass
class ChainReport:
    schema: str
    chained: int = 0
    last_hash: str = ""
    broken_at: int | None = None
    """The audit row id of the first row that no longer matches its link (None: intact)."""
    problem: str = ""
    unsealed: int = 0
    """Rows not chained yet (a few while the sealer catches up; many means no sealer runs)."""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


async def verify(connection: asyncpg.Connection, schema: str) -> ChainReport:
    """Recompute `schema`'s chain from the start; stop at the first row that does not match."""
    if not SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"not a schema name: {schema!r}")
    report = ChainReport(schema)
    links = await connection.fetch(
        f"SELECT c.chain_seq, c.audit_id, c.prev_hash, c.row_hash, a.id, {', '.join('a.' + c for c in _COLUMNS)}"
        f" FROM {schema}.audit_chain c LEFT JOIN {schema}.audit_log a ON a.id = c.audit_id ORDER BY c.chain_seq"
    )
    previous, expected_seq = GENESIS, 1
    for link in links:
        problem = _mismatch(link, previous, expected_seq)
        if problem:
            report.broken_at, report.problem = link["audit_id"], problem
            return report
        previous, expected_seq = bytes(link["row_hash"]), expected_seq + 1
        report.chained += 1
    report.last_hash = previous.hex()
    report.unsealed = await connection.fetchval(
        f"SELECT count(*) FROM {schema}.audit_log a"
        f" WHERE NOT EXISTS (SELECT 1 FROM {schema}.audit_chain c WHERE c.audit_id = a.id)"
    )
    return report


def _mismatch(link: asyncpg.Record, previous: bytes, expected_seq: int) -> str:
    if link["chain_seq"] != expected_seq:
        return f"link {expected_seq} is missing: the chain jumps to {link['chain_seq']}"
    if bytes(link["prev_hash"]) != previous:
        return "its link does not follow from the row before: a row before it was removed or relinked"
    if link["id"] is None:
        return "the row was deleted"
    if row_hash(previous, link) != bytes(link["row_hash"]):
        return "its contents changed after it was sealed"
    return ""
