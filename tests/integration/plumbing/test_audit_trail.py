"""The audit trail is tamper-evident: rows written by a service's runtime role (which cannot change them) are
chained by the sealer, and `diversion audit verify`, run as the operations team, names the first row a
superuser changed or removed afterwards."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from typer.testing import CliRunner

from deploy.local_stack.processes import drop_schemas
from platform_plumbing import audit_trail
from platform_plumbing.audit_trail import Action, AuditEntry, Purpose
from platform_plumbing.database_roles import OPERATIONS_ROLE
from services.operations.cli import app
from services.referral_router.bootstrap import TABLES
from services.referral_router.settings import RouterSettings

AT = datetime(2026, 11, 30, 9, tzinfo=UTC)


@pytest.fixture
async def trail(settings, as_service, namespace, infrastructure):
    """A service's schema (the router's tables) with five audited acts in it, sealed: (runtime, superuser)
    connections on it."""
    router = RouterSettings(**as_service("referral_router"))
    await TABLES.prepare(router, namespace)
    runtime = await asyncpg.connect(router.database_url, server_settings={"search_path": namespace})
    superuser = await asyncpg.connect(settings.database_url, server_settings={"search_path": namespace})
    entries = [
        AuditEntry(
            actor=f"client-{n}",
            action=Action.DISCLOSURE,
            purpose=Purpose.REFERRAL,
            at=AT,
            case_id=uuid.uuid4(),
            recipient="brighter-tomorrows",
            fields=("given_name", "phone"),
            detail="referral issued",
        )
        for n in range(5)
    ]
    await audit_trail.record(runtime, *entries)
    assert await audit_trail.seal(runtime, now=AT) == 5
    yield runtime, superuser
    await runtime.close()
    await superuser.close()
    await drop_schemas(settings.database_url, [namespace])


async def verify_as_operations(infrastructure, namespace: str):
    connection = await asyncpg.connect(infrastructure.database.url(OPERATIONS_ROLE))
    try:
        return await audit_trail.verify(connection, namespace)
    finally:
        await connection.close()


async def test_an_untouched_trail_verifies_and_the_runtime_role_cannot_change_it(trail, infrastructure, namespace):
    runtime, _ = trail
    for statement in ("UPDATE audit_log SET purpose = 'statistics'", "DELETE FROM audit_chain", "TRUNCATE audit_log"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await runtime.execute(statement)

    report = await verify_as_operations(infrastructure, namespace)

    assert report.intact and report.chained == 5 and report.unsealed == 0 and len(report.last_hash) == 64


async def test_a_row_changed_by_a_superuser_is_named_by_verify(trail, infrastructure, namespace, settings):
    runtime, superuser = trail
    third = await runtime.fetchval("SELECT id FROM audit_log ORDER BY id OFFSET 2 LIMIT 1")
    await superuser.execute("UPDATE audit_log SET recipient = 'someone-else' WHERE id = $1", third)

    report = await verify_as_operations(infrastructure, namespace)
    environment = {
        "OPERATIONS_DATABASE_URL": infrastructure.database.url(OPERATIONS_ROLE),
        **{f"{name}_DB_SCHEMA": namespace for name in ("INTAKE", "ROUTER", "COMPLIANCE")},
    }
    cli = await asyncio.to_thread(CliRunner().invoke, app, ["audit", "verify", "--json"], env=environment)

    assert (report.broken_at, report.problem) == (third, "its contents changed after it was sealed")
    assert report.chained == 2, "the two rows before it still verify"
    assert cli.exit_code == 1, cli.output
    verdicts = {(r["schema"], r["broken_at"], r["intact"]) for r in json.loads(cli.output)}
    assert verdicts == {(namespace, third, False), ("operations", None, True)}


async def test_a_row_deleted_by_a_superuser_is_named_by_verify(trail, infrastructure, namespace):
    runtime, superuser = trail
    second = await runtime.fetchval("SELECT id FROM audit_log ORDER BY id OFFSET 1 LIMIT 1")
    await superuser.execute("DELETE FROM audit_log WHERE id = $1", second)

    report = await verify_as_operations(infrastructure, namespace)

    assert (report.broken_at, report.problem) == (second, "the row was deleted")


async def test_rows_written_after_sealing_are_chained_on_to_the_end(trail, infrastructure, namespace):
    runtime, _ = trail
    late = AuditEntry(actor="ops", action=Action.CONSULTATION, purpose=Purpose.STATISTICS, at=AT, detail="report")
    await audit_trail.record(runtime, late)
    assert (await verify_as_operations(infrastructure, namespace)).unsealed == 1

    assert await audit_trail.seal(runtime, now=AT) == 1
    report = await verify_as_operations(infrastructure, namespace)
    assert report.intact and report.chained == 6 and report.unsealed == 0


async def test_a_row_whose_transaction_ends_after_a_later_rows_is_sealed_and_not_skipped(
    trail, infrastructure, namespace
):
    """Ids are taken before commit: a row can become visible after one with a larger id. The sealer carries on
    from where it stopped instead of searching the whole trail, so it must not seal past a transaction still
    running — it waits for it, then chains both, the older transaction's row first."""
    runtime, superuser = trail
    entry = AuditEntry(actor="ops", action=Action.CONSULTATION, purpose=Purpose.STATISTICS, at=AT, detail="report")
    slow = superuser.transaction()
    await slow.start()
    await audit_trail.record(superuser, entry)  # takes the smaller id, not committed yet
    await audit_trail.record(runtime, entry)  # the larger id, committed at once

    assert await audit_trail.seal(runtime, now=AT) == 0, "sealed past a transaction still running"
    await slow.commit()
    assert await audit_trail.seal(runtime, now=AT) == 2

    report = await verify_as_operations(infrastructure, namespace)
    assert report.intact and report.chained == 7 and report.unsealed == 0


async def test_the_sealer_reads_only_past_where_it_stopped(trail):
    """However long the trail, the sealer's search is an index range after its last link, not a pass over
    every row (it runs every few seconds in every service)."""
    runtime, superuser = trail
    await superuser.execute("SET enable_seqscan = off")  # the trail is small: make the planner show its hand
    plan = "\n".join(
        row[0]
        for row in await superuser.fetch(f"EXPLAIN {audit_trail._NEXT_TO_SEAL}", 0, 0, 1000)  # noqa: SLF001
    )
    assert "Index Cond: ((ROW(tx, id) > ROW(" in plan and "on audit_log_sealing_order" in plan, plan
