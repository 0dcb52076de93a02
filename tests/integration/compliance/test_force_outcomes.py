"""A force acts on its outcomes from a topic of its own: the changes to its cases and their conditions, never
the referrals' (which name agencies) and never another force's."""

from __future__ import annotations

from schemas.envelope import decode
from schemas.registry import MESSAGE_TYPES
from schemas.topics import OUTCOMES
from tests.integration.compliance.test_kafka_updates import clean_run, final_state, updates_of
from tests.kafka_tools import read_topic


async def test_a_completed_case_and_its_condition_reach_the_forces_outcomes_topic(compliance):
    case = await compliance.open_case(referrals={"substance-misuse-treatment": ["alcohol_misuse"]})
    await compliance.send(updates_of("substance-misuse-treatment"), *clean_run(case, "substance-misuse-treatment"))
    assert (await final_state(compliance, case))[1] == "completed"

    records = await read_topic(
        compliance.kafka, compliance.settings.topic(OUTCOMES.named("cambridgeshire")), at_least=2
    )
    outcomes = [
        (attributes.type.split(".")[-3], event.status)
        for attributes, event in (decode(r.headers, r.value, MESSAGE_TYPES) for r in records)
        if event.case_id == case.case_id
    ]

    assert sorted(outcomes) == [("case", "completed"), ("condition", "met")]
