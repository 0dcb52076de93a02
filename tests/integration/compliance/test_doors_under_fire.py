"""Compliance's Kafka doors under fire (issue 22): intake's cases, the router's referrals, an agency's updates,
a force's signals and the replay requests each take a burst of generated hostile records, with the fixed
examples that once stalled a consumer, and move on to the valid record behind them. See `tests.hostile_doors`."""

from __future__ import annotations

import uuid
from datetime import timedelta

from schemas.commands import DiversionDecision, ReferralAccepted, ReferralDeclined
from schemas.events import CaseOpened, CaseStatusChanged, ReferralIssued, ReoffendingSignal
from schemas.topics import AGENCY_UPDATES, CASES, DEAD_LETTERS, POLICE_SIGNALS, REFERRALS, REPLAYS
from services.compliance.bootstrap import CONSUMER_GROUP
from tests.factories import payload
from tests.hostile_doors import asked_of_another, door_of, fire_at, other_type_records, record_of, replay_request
from tests.kafka_tools import read_topic

AGENCY = "brighter-tomorrows"


async def test_the_cases_door(compliance):
    first = await compliance.open_case(send_case=False, send_referrals=False)
    later = await compliance.open_case(send_case=False, send_referrals=False)
    others = other_type_records(ReferralIssued, DiversionDecision, CaseStatusChanged)

    async def opened() -> bool:
        return await compliance.pool.fetchval("SELECT count(*) FROM cases WHERE case_id = $1", later.case_id) == 1

    template, valid = record_of(first.opened, source="/intake"), record_of(later.opened, source="/intake")
    await fire_at(door_of(compliance, CASES.name, CONSUMER_GROUP), template, others, valid, applied=opened)


async def test_the_referrals_door(compliance):
    case = await compliance.open_case(send_referrals=False)
    template, valid = (record_of(issued, source="/referral-router") for issued in case.issued)
    others = other_type_records(CaseOpened, ReferralAccepted)

    await fire_at(door_of(compliance, REFERRALS.name, CONSUMER_GROUP), template, others, valid)


async def test_an_agencys_updates_door(compliance):
    """The template names a referral nobody issued, so that a generated update that stays valid is held for it
    rather than changing the referral the valid update behind the burst accepts."""
    case = await compliance.open_case(referrals={AGENCY: ["women_specific_support"]})
    ids = {"case_id": case.case_id, "referral_id": case.referrals[AGENCY], "agency_id": AGENCY}
    at = compliance.clock.now() - timedelta(minutes=5)
    elsewhere = {**ids, "referral_id": uuid.uuid4()}
    template = record_of(ReferralDeclined(**elsewhere, occurred_at=at, reason="no_capacity"), source="/agency")
    valid = record_of(ReferralAccepted(**ids, occurred_at=at), source="/agency")
    others = other_type_records(ReferralIssued, DiversionDecision)

    async def accepted() -> bool:
        status = await compliance.pool.fetchval(
            "SELECT status FROM referrals WHERE referral_id = $1", ids["referral_id"]
        )
        return status == "accepted"

    await fire_at(
        door_of(compliance, AGENCY_UPDATES.named(AGENCY), CONSUMER_GROUP), template, others, valid, applied=accepted
    )


async def test_a_forces_signals_door(compliance):
    template = record_of(ReoffendingSignal.model_validate(payload(ReoffendingSignal)), source="/police")
    valid = record_of(ReoffendingSignal.model_validate(payload(ReoffendingSignal, subject_ref="subj-valid-0001")))
    others = other_type_records(CaseOpened, ReferralAccepted)

    await fire_at(door_of(compliance, POLICE_SIGNALS.named("cambridgeshire"), CONSUMER_GROUP), template, others, valid)


async def test_the_replay_door(compliance):
    case = await compliance.open_case(referrals={AGENCY: ["women_specific_support"]})
    early = ReferralAccepted(
        case_id=case.case_id,
        referral_id=case.referrals[AGENCY],
        agency_id=AGENCY,
        occurred_at=compliance.clock.now() + timedelta(hours=2),
    )
    await compliance.send(AGENCY_UPDATES.named(AGENCY), early)
    (letter,) = await read_topic(compliance.kafka, compliance.settings.topic(DEAD_LETTERS.name), at_least=1)
    compliance.clock.advance(hours=3)
    template = replay_request("compliance", letter.partition, letter.offset + 500)
    valid = replay_request("compliance", letter.partition, letter.offset)
    # The same letter asked for in the burst too (as a generated request naming offset 0 once did, in CI): the
    # first request applies it, the valid one finds it applied.
    asked_twice = replay_request("compliance", letter.partition, letter.offset)

    async def accepted() -> bool:
        status = await compliance.pool.fetchval(
            "SELECT status FROM referrals WHERE referral_id = $1", early.referral_id
        )
        return status == "accepted"

    await fire_at(
        door_of(compliance, REPLAYS.name, CONSUMER_GROUP),
        template,
        [replay_request("intake", letter.partition, letter.offset)],
        valid,
        also=(asked_twice,),
        applied=accepted,
        ignorable=asked_of_another("compliance"),
    )
