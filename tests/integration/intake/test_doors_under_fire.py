"""Intake's Kafka doors under fire (issue 22): the force's decisions topic, compliance's topic and the replay
requests each take a burst of generated hostile records, with the fixed examples that once stalled a consumer,
and move on to the valid record behind them. See `tests.hostile_doors`."""

from __future__ import annotations

from schemas.commands import DiversionDecision, NeedsAssessment, ReferralAccepted
from schemas.events import CaseOpened, CaseStatusChanged, ConditionStatusChanged
from schemas.topics import COMPLIANCE, DEAD_LETTERS, DECISIONS, REPLAYS
from services.intake.bootstrap import CONSUMER_GROUP
from tests.factories import payload
from tests.hostile_doors import asked_of_another, door_of, fire_at, other_type_records, record_of, replay_request
from tests.integration.intake.conftest import FORCE
from tests.integration.intake.test_http_decisions import decision
from tests.kafka_tools import read_topic


async def test_the_forces_decisions_door(intake):
    template = record_of(DiversionDecision.model_validate(decision("13YE0000700")), source="/police/niche-rms")
    others = other_type_records(NeedsAssessment, CaseOpened, ReferralAccepted)
    valid = record_of(DiversionDecision.model_validate(decision("13YE0000701")), source="/police/niche-rms")

    async def case_opened() -> bool:
        return await intake.pool.fetchval("SELECT count(*) FROM cases WHERE police_reference = '13YE0000701'") == 1

    await fire_at(door_of(intake, DECISIONS.named(FORCE), CONSUMER_GROUP), template, others, valid, applied=case_opened)


async def test_the_door_intake_follows_compliance_by(intake):
    template = record_of(CaseStatusChanged.model_validate(payload(CaseStatusChanged)), source="/diversion/compliance")
    others = other_type_records(CaseOpened, ReferralAccepted, DiversionDecision)
    valid = record_of(ConditionStatusChanged.model_validate(payload(ConditionStatusChanged)), source="/compliance")

    await fire_at(door_of(intake, COMPLIANCE.name, CONSUMER_GROUP), template, others, valid)


async def test_the_replay_door(intake):
    """Requests for letters that are not there, or not intake's, are refused; a good request behind them is
    honoured (its letter, still bad, comes back as a new dead letter from the decisions topic)."""
    bad = record_of(DiversionDecision.model_validate(decision("13YE0000702")), source="/police/niche-rms")
    await intake.send(DECISIONS.named(FORCE), (bad[0], [h for h in bad[1] if h[0] != "ce_type"], bad[2]))
    (letter,) = await read_topic(intake.kafka, intake.settings.topic(DEAD_LETTERS.name), at_least=1)

    template = replay_request("intake", letter.partition, letter.offset + 500)
    for_another = replay_request("compliance", letter.partition, letter.offset)
    valid = replay_request("intake", letter.partition, letter.offset)

    replays = door_of(intake, REPLAYS.name, CONSUMER_GROUP)
    await fire_at(replays, template, [for_another], valid, ignorable=asked_of_another("intake"))
