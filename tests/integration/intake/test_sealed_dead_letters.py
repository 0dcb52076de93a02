"""The police's commands carry personal data in clear, so intake keeps them off the broker: one it
dead-letters has its body sealed under a key of the letter's own (a replay is opened and read again, until
that key is erased), and every one it has processed is deleted from the force's topic."""

from __future__ import annotations

import asyncpg

from platform_plumbing import keyring
from platform_plumbing.kafka_acls import police_principal
from platform_plumbing.sealed_letters import SEALED_BODY
from schemas.commands import DiversionDecision
from schemas.topics import DEAD_LETTERS, DECISIONS
from tests.integration.intake.conftest import FORCE
from tests.integration.intake.test_http_decisions import case_events, decision
from tests.integration.intake.test_kafka_commands import command_record, send
from tests.kafka_tools import eventually, read_to_end, read_topic

CANARY = b"Canarysealedletter"


async def test_a_dead_lettered_decision_is_sealed_and_a_replay_is_opened_until_its_key_is_erased(intake, settings):
    command = DiversionDecision.model_validate(decision("13YE0000300"))
    key, headers, value = command_record(command, "sealed-1", "13YE0000300")
    too_young = value.replace(b'"age_at_offence":34', b'"age_at_offence":3').replace(b'"Alex"', b'"' + CANARY + b'"')
    assert CANARY in too_young
    await send(intake, (key, headers, too_young))

    (letter,) = await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=1)
    assert CANARY not in letter.value and b"13YE0000300" not in letter.value, "the body is sealed whole"
    assert dict(letter.headers)["dlq_reason"].startswith(b"age_at_offence:")
    assert SEALED_BODY in dict(letter.headers)

    await intake.replay(letter)
    letters = await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=2)
    again = dict(letters[1].headers)
    assert again["dlq_reason"] == dict(letter.headers)["dlq_reason"], "the replay was opened and read as before"
    assert again[SEALED_BODY] != dict(letter.headers)[SEALED_BODY] and CANARY not in letters[1].value
    trail = await intake.pool.fetch("SELECT actor, action, replayed_by, detail FROM audit_log WHERE replayed_by <> ''")
    assert [(row["actor"], row["action"], row["replayed_by"]) for row in trail] == [
        (police_principal(FORCE), "replay", "operator:jsmith")
    ], "the force sent it; the operator asked for it again"
    assert trail[0]["detail"].endswith("dead-lettered again (ValidationError)")

    admin = await asyncpg.connect(settings.database_url)
    try:
        assert await keyring.destroy_letter_keys(admin, "cambridgeshire", "13YE0000300") == 2
    finally:
        await admin.close()
    await intake.replay(letters[1])
    third = dict((await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=3))[2].headers)
    assert (third["dlq_error_class"], third["dlq_reason"]) == (
        b"UnreadableLetter",
        b"the key of its sealed body was erased or has expired",
    )


async def test_intake_deletes_the_police_commands_it_has_processed_from_the_forces_topic(intake):
    command = DiversionDecision.model_validate(decision("13YE0000400"))
    topic = intake.settings.topic(DECISIONS.named(FORCE))
    await send(intake, command_record(command, "letterbox-1", "13YE0000400"))
    assert len(await read_topic(intake.kafka, topic, at_least=1)) == 1

    await case_events(intake, at_least=1)

    async def emptied() -> bool:
        return await read_to_end(intake.kafka, topic) == []

    await eventually(emptied, timeout=30)
    assert await intake.pool.fetchval("SELECT count(*) FROM cases") == 1


async def test_a_decision_nested_fifty_thousand_deep_is_dead_lettered_sealed_and_the_next_goes_through(intake):
    """Issue 22: sealing this one's dead letter once raised `RecursionError` (reading it for the police reference),
    and intake retried the batch for ever. It is sealed whole like any other, and the decision behind it opens."""
    command = DiversionDecision.model_validate(decision("13YE0000500"))
    key, headers, _ = command_record(command, "nested-1", "13YE0000500")
    after = command_record(DiversionDecision.model_validate(decision("13YE0000501")), "after-1", "13YE0000501")
    await send(intake, (key, headers, b"[" * 50_000 + b"]" * 50_000), after)

    (letter,) = await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=1)
    why = dict(letter.headers)
    assert why["dlq_reason"] == b"JSON nested deeper than the 32 levels accepted"
    assert SEALED_BODY in why and "dlq_dropped" not in why and letter.value[:1] != b"[", "sealed, not dropped"
    await case_events(intake, at_least=1)
    assert await intake.pool.fetchval("SELECT police_reference FROM cases") == "13YE0000501"
