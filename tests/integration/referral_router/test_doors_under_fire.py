"""The router's Kafka doors under fire (issue 22): intake's cases, compliance's decisions and the replay
requests each take a burst of generated hostile records, with the fixed examples that once stalled a consumer,
and move on to the valid record behind them. See `tests.hostile_doors`."""

from __future__ import annotations

from schemas.commands import DiversionDecision, ReferralAccepted
from schemas.events import CaseOpened, CaseStatusChanged, NeedsAssessed, ReferralIssued, ReferralStatusChanged
from schemas.topics import CASES, COMPLIANCE, DEAD_LETTERS, REPLAYS
from services.referral_router.bootstrap import CONSUMER_GROUP
from tests.factories import payload
from tests.hostile_doors import asked_of_another, door_of, fire_at, other_type_records, record_of, replay_request
from tests.kafka_tools import read_topic


async def test_the_cases_door(router):
    template = record_of(router.case_opened(("alcohol_misuse", "medium")), source="/diversion/intake")
    others = other_type_records(ReferralIssued, DiversionDecision, NeedsAssessed)
    opened = router.case_opened(("housing", "high"))

    async def placed() -> bool:
        return await router.pool.fetchval("SELECT count(*) FROM referrals WHERE case_id = $1", opened.case_id) > 0

    await fire_at(
        door_of(router, CASES.name, CONSUMER_GROUP),
        template,
        others,
        record_of(opened, source="/intake"),
        applied=placed,
    )


async def test_the_door_the_router_follows_compliance_by(router):
    template = record_of(ReferralStatusChanged.model_validate(payload(ReferralStatusChanged)), source="/compliance")
    others = other_type_records(CaseOpened, ReferralAccepted)
    valid = record_of(CaseStatusChanged.model_validate(payload(CaseStatusChanged)), source="/diversion/compliance")

    await fire_at(door_of(router, COMPLIANCE.name, CONSUMER_GROUP), template, others, valid)


async def test_the_replay_door(router):
    """A good request behind the burst is honoured: its letter (a case event the router refused) is read again."""
    bad = record_of(router.case_opened(("alcohol_misuse", "medium")), source="/diversion/intake")
    await router.send_raw(CASES.name, (bad[0], [h for h in bad[1] if h[0] != "ce_source"], bad[2]))
    dead_letters = router.settings.topic(DEAD_LETTERS.name)
    (letter,) = await read_topic(router.kafka, dead_letters, at_least=1)
    template = replay_request("referral_router", letter.partition, letter.offset + 500)
    operator = "operator:the-valid-one"  # a generated request may ask for the same letter, never as this operator
    valid = replay_request("referral_router", letter.partition, letter.offset, operator=operator)

    await fire_at(
        door_of(router, REPLAYS.name, CONSUMER_GROUP),
        template,
        [replay_request("intake", letter.partition, letter.offset)],
        valid,
        ignorable=asked_of_another("referral_router"),
    )

    trail = await router.pool.fetch(
        "SELECT actor, detail FROM audit_log WHERE action = 'replay' AND replayed_by = $1", operator
    )
    assert [row["actor"] for row in trail] == ["intake"], "the original sender, with the operator beside it"
    assert "dead-lettered again" in trail[0]["detail"], "its letter still has no source"
