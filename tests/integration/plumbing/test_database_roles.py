"""Least-privilege PostgreSQL, on the real server: each service's runtime role has rights on its own schema's
rows only; history and audit tables take INSERT and SELECT and nothing else; the operations reader sees ids
and statuses; nobody logs in without the generated password."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from deploy.local_stack.processes import drop_schemas
from platform_plumbing import keyring
from platform_plumbing.database_roles import OPERATIONS_ROLE, app_role, owner_role
from platform_plumbing.settings import PlatformSettings
from services.compliance.bootstrap import TABLES as COMPLIANCE_TABLES
from services.intake.bootstrap import TABLES as INTAKE_TABLES
from services.referral_router.bootstrap import TABLES as ROUTER_TABLES
from tests.sealing import written

TABLES = {tables.service: tables for tables in (INTAKE_TABLES, ROUTER_TABLES, COMPLIANCE_TABLES)}
AUDIT_ROW = {  # an audit or history table of each service, and a statement that adds a row to it
    "intake": (
        "audit_log",
        "INSERT INTO audit_log (at, actor, action, detail, purpose) VALUES (now(), 'a', 'b', '', 'd')",
    ),
    "referral_router": (
        "audit_log",
        "INSERT INTO audit_log (at, actor, action, purpose) VALUES (now(), 'a', 'disclosure', 'referral')",
    ),
    "compliance": (
        "audit_log",
        "INSERT INTO audit_log (at, actor, action, fields, purpose) VALUES (now(), 'a', 'b', '{}', 'd')",
    ),
}


@pytest.fixture
async def schemas(settings, as_service, namespace):
    """Each service's schema, migrated by its owner role: service -> schema."""
    made = {service: f"{namespace}_{service}" for service in TABLES}
    for service, schema in made.items():
        await TABLES[service].prepare(PlatformSettings(**as_service(service)), schema)
    yield made
    await drop_schemas(settings.database_url, list(made.values()))


async def connect(infrastructure, role: str, schema: str | None = None) -> asyncpg.Connection:
    settings = {"search_path": schema} if schema else {}
    return await asyncpg.connect(infrastructure.database.url(role), server_settings=settings)


@pytest.mark.parametrize("service", list(TABLES))
async def test_a_service_role_is_refused_on_every_other_service_schema(infrastructure, schemas, service):
    for other, schema in schemas.items():
        if other == service:
            continue
        for role in (app_role(service), owner_role(service)):
            connection = await connect(infrastructure, role)
            try:
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await connection.fetch(f"SELECT * FROM {schema}.outbox LIMIT 1")
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await connection.execute(f"CREATE TABLE {schema}.smuggled (x int)")
            finally:
                await connection.close()


@pytest.mark.parametrize("service", list(TABLES))
async def test_a_runtime_role_adds_to_its_audit_table_but_cannot_alter_a_row(infrastructure, schemas, service):
    table, insert = AUDIT_ROW[service]
    connection = await connect(infrastructure, app_role(service), schemas[service])
    try:
        await connection.execute(insert)
        assert await connection.fetchval(f"SELECT count(*) FROM {table}") == 1
        for statement in (f"UPDATE {table} SET purpose = 'rewritten'", f"DELETE FROM {table}", f"TRUNCATE {table}"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(statement)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(f"DROP TABLE {table}")
        assert await connection.fetchval(f"SELECT count(*) FROM {table}") == 1
    finally:
        await connection.close()


@pytest.mark.parametrize("service", list(TABLES))
async def test_every_append_only_table_refuses_update_delete_and_truncate(infrastructure, schemas, service):
    connection = await connect(infrastructure, app_role(service), schemas[service])
    try:
        for table in TABLES[service].privileges.append_only:
            granted = await connection.fetchval(
                "SELECT array_agg(privilege_type::text ORDER BY privilege_type)"
                " FROM information_schema.table_privileges"
                " WHERE grantee = current_user AND table_schema = $1 AND table_name = $2",
                schemas[service],
                table,
            )
            assert granted == ["INSERT", "SELECT"], table
    finally:
        await connection.close()


async def test_a_runtime_role_works_its_own_rows_but_cannot_change_its_tables(infrastructure, schemas):
    connection = await connect(infrastructure, app_role("compliance"), schemas["compliance"])
    try:
        now = datetime.now(UTC)
        await connection.execute(
            'INSERT INTO held_events (awaiting, awaiting_what, event_id, topic, partition, "offset", header_names,'
            " header_values, received_at) VALUES ($1, 'case', 'e1', 't', 0, 0, '{}', '{}', $2)",
            uuid.uuid4(),
            now,
        )
        assert await connection.execute("DELETE FROM held_events") == "DELETE 1"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute("ALTER TABLE cases ADD COLUMN smuggled text")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute("INSERT INTO schema_migrations (name) VALUES ('compliance/9999_smuggled')")
    finally:
        await connection.close()


async def test_the_operations_reader_sees_ids_and_statuses_and_nothing_else(infrastructure, schemas):
    connection = await connect(infrastructure, OPERATIONS_ROLE, schemas["compliance"])
    try:
        assert await connection.fetch("SELECT case_id, status FROM cases") == []
        for statement in (
            "SELECT subject_ref FROM cases",
            "SELECT * FROM referral_personal_details",
            "SELECT * FROM referral_updates",
            "INSERT INTO cases (case_id) VALUES (gen_random_uuid())",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(statement)
    finally:
        await connection.close()


async def test_nobody_logs_in_without_the_generated_password(infrastructure):
    for role in (app_role("intake"), OPERATIONS_ROLE):
        url = infrastructure.database.url(role).replace(infrastructure.database.passwords[role], "diversion")
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(url)


async def test_the_keyring_takes_keys_from_intake_and_gives_them_only_to_compliance(infrastructure):
    """Intake may add a case's wrapped key but not read it back; compliance may read and erase it but not
    add one; the router and the operations reader may do neither."""
    case_id, now = uuid.uuid4(), datetime.now(UTC)

    async def as_role(role: str, work):
        connection = await asyncpg.connect(infrastructure.database.url(role))
        try:
            return await work(connection)
        finally:
            await connection.close()

    await as_role(app_role("intake"), lambda db: written(db, lambda w: keyring.add(w, case_id, b"wrapped", now=now)))
    for role in (app_role("intake"), app_role("referral_router"), OPERATIONS_ROLE):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await as_role(role, lambda db: keyring.wrapped_key(db, case_id))
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_role(
            app_role("compliance"), lambda db: written(db, lambda w: keyring.add(w, uuid.uuid4(), b"forged", now=now))
        )
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_role(app_role("intake"), lambda db: keyring.destroy(db, [case_id]))

    assert await as_role(app_role("compliance"), lambda db: keyring.wrapped_key(db, case_id)) == b"wrapped"
    assert await as_role(app_role("compliance"), lambda db: keyring.destroy(db, [case_id])) == [case_id]


async def test_a_dead_letters_key_is_intakes_to_read_and_compliances_only_to_erase(infrastructure):
    key_id, now, reference = uuid.uuid4(), datetime.now(UTC), ("cambridgeshire", f"13YE{uuid.uuid4().hex[:8]}")
    intake = await asyncpg.connect(infrastructure.database.url(app_role("intake")))
    compliance = await asyncpg.connect(infrastructure.database.url(app_role("compliance")))
    try:
        await keyring.add_letter_key(intake, key_id, b"wrapped", reference=reference, now=now)
        assert await keyring.letter_key(intake, key_id) == b"wrapped", "intake opens the letters it replays"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await keyring.letter_key(compliance, key_id)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await keyring.destroy_letter_keys(intake, *reference)
        assert await keyring.destroy_letter_keys(compliance, *reference) == 1
    finally:
        await intake.close()
        await compliance.close()
