"""A consumer batch is applied as a set: its cases' files are loaded once, and every fact of the batch finds
its case as the facts before it left it — so the facts of a case applied in one batch end exactly as the
same facts applied one batch at a time, each change published once, in order."""

from __future__ import annotations

import pytest

from platform_plumbing.pending_writes import PendingWrites
from platform_plumbing.transactional_consumer import Batch, ChangedMeanwhile, IncomingEvent
from schemas.envelope import decode
from schemas.events import ReferralWorkRecorded
from schemas.registry import MESSAGE_TYPES
from schemas.topics import AGENCY_UPDATES, CASES, COMPLIANCE, DEAD_LETTERS, REFERRALS
from services.compliance.adapters import held_events
from services.compliance.entrypoints.kafka_events import batch_loader, event_handler
from tests.integration.compliance.test_kafka_updates import clean_run, final_state
from tests.integration.compliance.test_replicas import incoming

AGENCY = "substance-misuse-treatment"


async def test_a_cases_facts_in_one_batch_end_as_they_do_one_batch_at_a_time(compliance):
    together = await _case_and_its_facts(compliance)
    one_by_one = await _case_and_its_facts(compliance)
    await _apply(compliance, together[1])
    for event in one_by_one[1]:
        await _apply(compliance, [event])

    assert await _published(compliance, together[0]) == await _published(compliance, one_by_one[0])
    changes = await _published(compliance, together[0])
    referral_sequences = [sequence for kind, _, sequence in changes if kind == "referral"]
    assert referral_sequences == list(range(1, len(referral_sequences) + 1)), "each change once, in order"
    assert ("referral", "completed", referral_sequences[-1]) in changes
    assert await _stored(compliance, together[0]) == await _stored(compliance, one_by_one[0])


async def test_updates_in_the_batch_that_brings_their_referral_are_applied_after_it_not_held(compliance, monkeypatch):
    """The agency answers the moment it sees the referral on Kafka, so its updates often come in the same
    batch as the referral, and may be fetched first: the batch is applied topic by topic in the order the
    service names them (cases, referrals, agencies' updates), so the updates find their referral."""
    case = await compliance.open_case(referrals={AGENCY: ["alcohol_misuse"]}, send_referrals=False)
    held = []
    hold = held_events.hold

    def spied_hold(writes, awaiting, *args, **kwargs):
        held.append(awaiting)
        return hold(writes, awaiting, *args, **kwargs)

    monkeypatch.setattr(held_events, "hold", spied_hold)
    updates = [incoming(compliance, AGENCY_UPDATES.named(AGENCY), update) for update in clean_run(case, AGENCY)]
    fetched_first_to_last = [*updates, incoming(compliance, REFERRALS.name, case.issued[0])]
    (consumer,) = compliance.app.state.runtime.consumers

    outcome = await consumer.process([event.record for event in fetched_first_to_last])

    assert (outcome.applied, outcome.dead_lettered, held) == (7, 0, [])
    assert await final_state(compliance, case) == (
        [(AGENCY, "completed")],
        "completed",
        ["case.changed:completed", "condition.changed:met"],
    )


async def test_referrals_held_in_earlier_batches_are_released_by_their_cases_batch_as_a_set(compliance):
    """Working through a backlog, the consumer often reads a partition of referrals before the partition of
    their cases: the batch that brings the cases releases what was held for them without a statement (or a
    savepoint) per event: read with the batch, deleted at its flush."""
    cases = [
        await compliance.open_case(referrals={AGENCY: ["alcohol_misuse"]}, send_case=False, send_referrals=False)
        for _ in range(12)
    ]
    await _apply(compliance, [incoming(compliance, REFERRALS.name, case.issued[0]) for case in cases])
    assert await compliance.pool.fetchval("SELECT count(*) FROM held_events") == 12
    statements: list[str] = []

    await _apply(compliance, [incoming(compliance, CASES.name, case.opened) for case in cases], log=statements)

    assert await compliance.pool.fetchval("SELECT count(*) FROM held_events") == 0
    statuses = await compliance.pool.fetch(
        "SELECT status FROM referrals WHERE referral_id = ANY($1)", [case.referrals[AGENCY] for case in cases]
    )
    assert [row["status"] for row in statuses] == ["issued"] * 12
    about_held = [s for s in statements if "held_events" in s or "SAVEPOINT" in s.upper()]
    assert len(about_held) == 3, about_held  # read for the batch, then for the referrals read; deleted at the flush


async def test_a_referral_held_earlier_in_the_same_batch_is_released_by_its_case(compliance):
    """What the batch held itself is not written until it flushes: its case, later in the batch, still finds
    it (a batch applied in an order other than the consumer's topic order, as another caller may)."""
    case = await compliance.open_case(referrals={AGENCY: ["alcohol_misuse"]}, send_case=False, send_referrals=False)

    await _apply(
        compliance,
        [incoming(compliance, REFERRALS.name, case.issued[0]), incoming(compliance, CASES.name, case.opened)],
    )

    assert await compliance.pool.fetchval("SELECT count(*) FROM held_events") == 0
    assert (
        await compliance.pool.fetchval("SELECT status FROM referrals WHERE referral_id = $1", case.referrals[AGENCY])
        == "issued"
    )


async def test_a_batch_whose_held_events_another_transaction_released_meanwhile_is_run_again(compliance):
    case = await compliance.open_case(referrals={AGENCY: ["alcohol_misuse"]}, send_case=False, send_referrals=False)
    await _apply(compliance, [incoming(compliance, REFERRALS.name, case.issued[0])])
    opened = incoming(compliance, CASES.name, case.opened)
    context = compliance.app.state.context

    with pytest.raises(ChangedMeanwhile):
        async with compliance.pool.acquire() as connection, connection.transaction():
            batch = Batch(connection, PendingWrites(), await batch_loader(context)(connection, [opened]))
            await compliance.pool.execute("DELETE FROM held_events")  # as if another replica had released it
            await event_handler(context)(batch, opened)
            await batch.writes.flush(connection)


async def test_a_held_event_that_can_no_longer_be_read_is_dead_lettered_and_its_case_still_opens(compliance):
    """The contract may change while an event is held (a model tightened by a deploy): the batch that brings
    its case must not fail on it, again and again, until the hold period ends; the held event is set aside
    with the reason, and its case opens."""
    case = await compliance.open_case(referrals={AGENCY: ["alcohol_misuse"]}, send_case=False, send_referrals=False)
    await _apply(compliance, [incoming(compliance, REFERRALS.name, case.issued[0])])
    await compliance.pool.execute("UPDATE held_events SET value = $1", b'{"case_id": "not a uuid"}')
    (consumer,) = compliance.app.state.runtime.consumers

    outcome = await consumer.process([incoming(compliance, CASES.name, case.opened).record])

    assert (outcome.applied, outcome.dead_lettered) == (1, 0)
    assert await compliance.pool.fetchval("SELECT count(*) FROM cases WHERE case_id = $1", case.case_id) == 1
    assert await compliance.pool.fetchval("SELECT count(*) FROM held_events") == 0
    (dead,) = await compliance.pool.fetch(
        "SELECT header_names, header_values FROM outbox WHERE topic = $1", compliance.settings.topic(DEAD_LETTERS.name)
    )
    headers = dict(zip(dead["header_names"], dead["header_values"], strict=True))
    assert headers["dlq_error_class"] == b"ValidationError"
    assert headers["dlq_reason"].startswith(b"case_id: Input should be a valid UUID")
    assert b"not a uuid" not in headers["dlq_reason"], "the reason never repeats the content"


async def _case_and_its_facts(compliance):
    case = await compliance.open_case(referrals={AGENCY: ["alcohol_misuse"]}, send_case=False, send_referrals=False)
    return case, [
        incoming(compliance, CASES.name, case.opened),
        incoming(compliance, REFERRALS.name, case.issued[0]),
        *(incoming(compliance, AGENCY_UPDATES.named(AGENCY), update) for update in clean_run(case, AGENCY)),
    ]


async def _apply(compliance, events: list[IncomingEvent], *, log: list[str] | None = None) -> None:
    """As the consumer does with a batch: load for all of it, each event in order, the appended rows at the end;
    every statement's text added to `log`."""
    context = compliance.app.state.context
    handle = event_handler(context)
    async with compliance.pool.acquire() as connection:
        logger = (lambda query: log.append(query.query)) if log is not None else (lambda query: None)
        connection.add_query_logger(logger)
        try:
            async with connection.transaction():
                batch = Batch(connection, PendingWrites(), await batch_loader(context)(connection, events))
                for event in events:
                    await handle(batch, event)
                await batch.writes.flush(connection)
        finally:
            connection.remove_query_logger(logger)


async def _published(compliance, case) -> list[tuple[str, str, int]]:
    """(kind, status or work step, sequence) of every change compliance queued for the case, in order."""
    rows = await compliance.pool.fetch(
        "SELECT header_names, header_values, value FROM outbox WHERE topic = $1 ORDER BY id",
        compliance.settings.topic(COMPLIANCE.name),
    )
    decoded = [
        decode(list(zip(r["header_names"], r["header_values"], strict=True)), r["value"], MESSAGE_TYPES)[1]
        for r in rows
    ]
    return [
        (
            type(p).__name__.removesuffix("StatusChanged").lower(),
            (p.step if kind == "work" else p.status).value,
            p.sequence,
        )
        for p in decoded
        if p.case_id == case.case_id
        for kind in ["work" if isinstance(p, ReferralWorkRecorded) else "status"]
    ]


async def _stored(compliance, case) -> tuple:
    return tuple(
        tuple(row)
        for row in await compliance.pool.fetch(
            "SELECT status, sequence FROM referrals WHERE case_id = $1"
            " UNION ALL SELECT status, sequence FROM cases WHERE case_id = $1"
            " UNION ALL (SELECT status, sequence FROM conditions WHERE case_id = $1)",
            case.case_id,
        )
    )
