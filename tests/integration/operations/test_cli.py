"""The `diversion` CLI against the real broker: topics, tail, lag, dead letters and replay, errors."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import pytest
from typer.testing import CliRunner

from platform_plumbing.database_roles import OPERATIONS_ROLE
from platform_plumbing.dead_letters import Rejection, dead_letter
from schemas.commands import ReplayDeadLetter
from schemas.events import CaseOpened
from schemas.topics import CASES, DEAD_LETTERS, REPLAYS
from services.operations.cli import app
from tests.factories import example
from tests.kafka_tools import cloud_event, produce, read_topic


@pytest.fixture
def operations(settings, infrastructure):
    """The CLI's environment: this test's topics, as the operations team's own Kafka principal."""
    return {
        **infrastructure.kafka.environment("operations", "OPERATIONS_"),
        "TOPIC_PREFIX": settings.topic_prefix,
        "OPERATIONS_DATABASE_URL": infrastructure.database.url(OPERATIONS_ROLE),
    }


async def diversion(operations: dict[str, str], *arguments: str):
    """Run the CLI in a thread of its own (it runs its own event loop), as operations on this test's topics."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(arguments), env=operations)


async def test_topics_lists_the_catalogue_with_live_counts(settings, operations, topics):
    await produce(
        settings.kafka,
        settings.topic(CASES.name),
        [cloud_event(example(CaseOpened)) for _ in range(3)],
    )

    result = await diversion(operations, "topics", "--json")

    assert result.exit_code == 0, result.output
    counts = {row["name"]: row["messages"] for row in json.loads(result.output)}
    assert counts[settings.topic(CASES.name)] == 3
    assert counts[settings.topic(DEAD_LETTERS.name)] == 0


async def operations_trail(infrastructure, detail: str) -> list[tuple]:
    """The operations audit trail's rows with `detail`: (action, case)."""
    connection = await asyncpg.connect(infrastructure.database.url(OPERATIONS_ROLE))
    try:
        rows = await connection.fetch(
            "SELECT action, case_id FROM operations.audit_log WHERE detail = $1 ORDER BY id", detail
        )
        return [tuple(row) for row in rows]
    finally:
        await connection.close()


async def test_tail_filters_by_case_and_never_shows_personal_data(settings, operations, topics, infrastructure):
    wanted, other = uuid.uuid4(), uuid.uuid4()
    await produce(
        settings.kafka,
        settings.topic(CASES.name),
        [cloud_event(example(CaseOpened, case_id=case)) for case in (wanted, other, wanted)],
    )

    result = await diversion(operations, "tail", CASES.name, "--case", str(wanted), "--json")

    events = [json.loads(line) for line in result.output.splitlines()]
    assert [e["key"] for e in events] == [str(wanted)] * 2
    assert events[0]["type"] == CaseOpened.event_type
    assert events[0]["data"]["personal"] == "«personal data not shown»"
    assert "Example" not in result.output
    assert ("consultation", wanted) in await operations_trail(infrastructure, f"tail {CASES.name}")


async def test_dead_letters_are_listed_with_their_reason_and_can_be_replayed(
    settings, operations, topics, infrastructure
):
    key, headers, value = cloud_event(example(CaseOpened))
    await produce(settings.kafka, settings.topic(CASES.name), [(key, headers, value)])
    (original,) = await read_topic(settings.kafka, settings.topic(CASES.name), at_least=1)
    letter = dead_letter(
        original,
        Rejection("ValidationError", "age_at_offence: too low"),
        topic=settings.topic(DEAD_LETTERS.name),
        service="intake",
    )
    await produce(settings.kafka, letter.topic, [(letter.key, letter.headers, letter.value)])

    listed = json.loads((await diversion(operations, "dlq", "list", "--json")).output)
    shown = await diversion(operations, "dlq", "show", str(listed[0]["offset"]))
    replayed = await diversion(operations, "dlq", "replay", str(listed[0]["offset"]))

    assert listed[0]["dead_letter"]["reason"] == "age_at_offence: too low"
    assert listed[0]["dead_letter"]["origin_topic"] == settings.topic(CASES.name)
    assert shown.exit_code == 0 and "age_at_offence: too low" in shown.output
    assert "Example" not in shown.output, "personal data is never shown"
    assert replayed.exit_code == 0 and "asked intake to read it again" in replayed.output
    assert len(await read_topic(settings.kafka, settings.topic(CASES.name), at_least=1)) == 1, "nothing re-sent"
    (request,) = await read_topic(settings.kafka, settings.topic(REPLAYS.name), at_least=1)
    asked = ReplayDeadLetter.model_validate_json(request.value)
    assert (asked.service, asked.partition, asked.offset) == ("intake", listed[0]["partition"], listed[0]["offset"])
    assert asked.operator.startswith("operator:") and dict(request.headers)["ce_type"] == asked.command_type.encode()
    offset = listed[0]["offset"]
    assert [row[0] for row in await operations_trail(infrastructure, f"dlq show {offset}")][-1] == "consultation"
    assert [row[0] for row in await operations_trail(infrastructure, f"dlq replay {offset}")][-1] == "alteration"


async def test_lag_shows_what_a_group_has_not_processed(settings, operations, topics):
    from aiokafka import AIOKafkaConsumer
    from aiokafka.structs import OffsetAndMetadata, TopicPartition

    await produce(
        settings.kafka,
        settings.topic(CASES.name),
        [cloud_event(example(CaseOpened, case_id=uuid.uuid4())) for _ in range(5)],
    )
    records = await read_topic(settings.kafka, settings.topic(CASES.name), at_least=5)
    partition = records[0].partition
    on_partition = sum(1 for r in records if r.partition == partition)
    consumer = AIOKafkaConsumer(
        **settings.kafka.client_options(), group_id=settings.topic("lagging"), enable_auto_commit=False
    )
    await consumer.start()
    consumer.assign([TopicPartition(settings.topic(CASES.name), partition)])
    await consumer.commit({TopicPartition(settings.topic(CASES.name), partition): OffsetAndMetadata(0, "")})
    await consumer.stop()

    rows = json.loads((await diversion(operations, "lag", "--json")).output)

    mine = [r for r in rows if r["group"] == settings.topic("lagging")]
    assert [(r["partition"], r["lag"]) for r in mine] == [(partition, on_partition)]


async def test_an_unreachable_kafka_is_one_clear_line(operations):
    result = await diversion({**operations, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}, "topics")

    assert result.exit_code == 1
    assert result.output.strip().startswith("error: cannot reach or log in to Kafka at 127.0.0.1:1 as operations")
    assert len(result.output.strip().splitlines()) == 1


async def test_books_balance_when_every_copy_agrees_and_name_each_disagreement(
    settings, operations, as_service, infrastructure, topics, namespace
):
    from datetime import UTC, datetime

    from deploy.local_stack.processes import drop_schemas
    from platform_plumbing.database import create_pool
    from platform_plumbing.database_roles import OPERATIONS_ROLE
    from platform_plumbing.settings import PlatformSettings
    from schemas.events import ReferralStatusChanged, SafeguardingConcernRecorded
    from schemas.topics import COMPLIANCE, CONCERNS
    from services.compliance.bootstrap import TABLES as COMPLIANCE_TABLES
    from services.intake.bootstrap import TABLES as INTAKE_TABLES
    from services.referral_router.bootstrap import TABLES as ROUTER_TABLES

    schemas = {"intake": f"{namespace}_i", "router": f"{namespace}_r", "compliance": f"{namespace}_c"}
    tables = {"intake": INTAKE_TABLES, "router": ROUTER_TABLES, "compliance": COMPLIANCE_TABLES}
    case, referral, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    pools = {}
    for service, schema in schemas.items():
        await tables[service].prepare(PlatformSettings(**as_service(tables[service].service)), schema)
        pools[service] = await create_pool(settings.database_url, schema)
    rows = {
        "intake": [
            "INSERT INTO cases (case_id, force_id, police_reference, subject_ref, disposal_type, status,"
            " policy_version, rule_outcomes, youth_offending_team, decided_at, received_via, created_at, updated_at)"
            " SELECT $1, 'f', 'R1', 's', 'community_resolution', 'completed', '1', '[]', false, $3, 'http', $3, $3"
            " WHERE $2::uuid IS NOT NULL",
            "INSERT INTO case_referrals (referral_id, case_id, needs, status, sequence, updated_at)"
            " VALUES ($2, $1, '{}', 'completed', 3, $3)",
            "INSERT INTO programme_assessments (referral_id, case_id, agency_id, version, needs, assessed_at)"
            " VALUES ($2, $1, 'a', 2, '[]', $3)",
        ],
        "router": [
            "INSERT INTO cases (case_id, disposal_type, age, sex, area, domestic_abuse, youth_offending_team, status,"
            " opened_at) SELECT $1, 'community_resolution', 30, 'male', 'peterborough', false, false, 'completed', $3"
            " WHERE $2::uuid IS NOT NULL",
            "INSERT INTO referrals (referral_id, case_id, agency_id, needs, delivery_mode, status, explanation,"
            " candidates, created_at, updated_at) VALUES ($2, $1, 'a', '[]', 'online', 'completed', '', '[]', $3, $3)",
            "INSERT INTO programme_assessments (found_by, case_id, agency_id, version, assessed_at)"
            " VALUES ($2, $1, 'a', 2, $3)",
        ],
        "compliance": [
            "INSERT INTO cases (case_id, subject_ref, force_id, police_reference, disposal_type, offence_category,"
            " domestic_abuse, decided_at, complete_by, status, updated_at)"
            " SELECT $1, 's', 'f', 'R1', 'community_resolution', 'theft', false, $3, '2027-01-01', 'completed', $3"
            " WHERE $2::uuid IS NOT NULL",
            "INSERT INTO referrals (referral_id, case_id, agency_id, needs, delivery_mode, status, updated_at)"
            " VALUES ($2, $1, 'a', '{}', 'online', 'completed', $3)",
            "INSERT INTO programme_assessments (assessment_id, referral_id, case_id, agency_id, version, needs,"
            " assessed_at) SELECT gen_random_uuid(), $2, $1, 'a', v, '[]', $3 FROM generate_series(1, 2) v",
            "INSERT INTO concerns (concern_id, case_id, referral_id, agency_id, force_id, police_reference, kind,"
            " urgency, raised_at) VALUES ($2, $1, $2, 'a', 'cambridgeshire', '13YE0000001', 'other', 'routine', $3)",
        ],
    }
    for service, statements in rows.items():
        for statement in statements:
            await pools[service].execute(statement, case, referral, now)
    env = {
        "OPERATIONS_DATABASE_URL": infrastructure.database.url(OPERATIONS_ROLE),
        "INTAKE_DB_SCHEMA": schemas["intake"],
        "ROUTER_DB_SCHEMA": schemas["router"],
        "COMPLIANCE_DB_SCHEMA": schemas["compliance"],
    }

    def changed(status: str, sequence: int) -> ReferralStatusChanged:
        return ReferralStatusChanged(
            case_id=case,
            referral_id=referral,
            agency_id="an-agency",
            needs=[],
            status=status,
            previous_status=None,
            sequence=sequence,
            changed_at=now,
        )

    concern = SafeguardingConcernRecorded(
        case_id=case,
        concern_id=referral,
        referral_id=referral,
        agency_id="an-agency",
        force_id="cambridgeshire",
        police_reference="13YE0000001",
        kind="other",
        urgency="routine",
        raised_at=now,
    )

    try:
        await produce(
            settings.kafka,
            settings.topic(COMPLIANCE.name),
            [
                cloud_event(changed("issued", 1)),
                cloud_event(changed("completed", 3)),
                cloud_event(changed("accepted", 2)),
            ],
        )
        await produce(settings.kafka, settings.topic(CONCERNS.named("cambridgeshire")), [cloud_event(concern)])
        balanced = await books(operations, env)
        await pools["router"].execute("UPDATE referrals SET status = 'cancelled'")
        await pools["router"].execute("UPDATE programme_assessments SET version = 1")
        await pools["compliance"].execute("UPDATE concerns SET acknowledged_by = 'Jo', acknowledged_at = now()")
        await produce(settings.kafka, settings.topic(COMPLIANCE.name), [cloud_event(changed("cancelled", 4))])
        unbalanced = await books(operations, env)
    finally:
        for pool in pools.values():
            await pool.close()
        await drop_schemas(settings.database_url, list(schemas.values()))

    assert balanced.exit_code == 0, balanced.output
    assert json.loads(balanced.output)["totals"]["referrals"] == {"compliance": 1, "intake": 1, "router": 1}
    assert json.loads(balanced.output)["totals"]["assessments"] == {"compliance": 1, "intake": 1, "router": 1}
    assert json.loads(balanced.output)["totals"]["concerns"] == {"compliance": 1, "force topics": 1}
    assert unbalanced.exit_code == 1
    assert json.loads(unbalanced.output)["disagreements"] == {
        "referrals whose status router holds differently": 1,
        "assessments whose status router holds differently": 1,
        "referrals cancelled after their agency finished": 1,
        "concerns whose force topic tells otherwise": 1,
    }


async def books(operations: dict[str, str], env: dict[str, str]):
    return await asyncio.to_thread(CliRunner().invoke, app, ["books", "--json"], env={**operations, **env})
