"""Replays without borrowed identity (issue 22): the operations team asks compliance to read one of its dead
letters again; compliance reads it from the dead-letter topic itself and applies it as the agency that sent
it, naming the operator beside the agency in its audit trail — and applies it once, however often asked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from schemas.commands import ReferralAccepted
from schemas.topics import AGENCY_UPDATES, DEAD_LETTERS
from tests.kafka_tools import read_topic


async def test_an_update_refused_for_a_reason_since_gone_is_applied_as_the_agencys_when_replayed(compliance):
    case = await compliance.open_case(referrals={"brighter-tomorrows": ["women_specific_support"]})
    referral = case.referrals["brighter-tomorrows"]
    ahead = ReferralAccepted(
        case_id=case.case_id,
        referral_id=referral,
        agency_id="brighter-tomorrows",
        occurred_at=compliance.clock.now() + timedelta(hours=2),  # the agency's clock was two hours fast
    )
    await compliance.send(AGENCY_UPDATES.named("brighter-tomorrows"), ahead)
    (letter,) = await read_topic(compliance.kafka, compliance.settings.topic(DEAD_LETTERS.name), at_least=1)
    assert dict(letter.headers)["dlq_error_class"] == b"PoisonMessage"
    assert await _status(compliance, referral) == "issued"

    compliance.clock.advance(hours=3)
    await compliance.replay(letter)
    await compliance.replay(letter)  # asked twice: applied once

    assert await _status(compliance, referral) == "accepted"
    trail = await compliance.pool.fetch(
        "SELECT actor, action, replayed_by FROM audit_log WHERE referral_id = $1 AND replayed_by IS NOT NULL",
        referral,
    )
    assert sorted(tuple(row) for row in trail) == [
        ("agency-brighter-tomorrows", "alteration", "operator:jsmith"),
        ("agency-brighter-tomorrows", "replay", "operator:jsmith"),
    ], "the agency is the actor, the operator beside it, and the replay recorded once"
    accepted = [p for t, p in await compliance.outcomes(case.case_id) if t == "referral.changed"]
    assert [p.status for p in accepted if p.referral_id == referral].count("accepted") == 1
    assert len(await read_topic(compliance.kafka, compliance.settings.topic(DEAD_LETTERS.name), at_least=1)) == 1


async def test_a_replay_asked_of_another_service_is_left_to_it_and_one_of_nothing_is_refused(compliance):
    case = await compliance.open_case(referrals={"brighter-tomorrows": ["women_specific_support"]})
    ahead = ReferralAccepted(
        case_id=case.case_id,
        referral_id=case.referrals["brighter-tomorrows"],
        agency_id="brighter-tomorrows",
        occurred_at=compliance.clock.now() + timedelta(hours=2),
    )
    await compliance.send(AGENCY_UPDATES.named("brighter-tomorrows"), ahead)
    dead_letters = compliance.settings.topic(DEAD_LETTERS.name)
    (letter,) = await read_topic(compliance.kafka, dead_letters, at_least=1)
    compliance.clock.advance(hours=3)

    not_ours = replace(letter, headers=[(n, b"intake" if n == "dlq_service" else v) for n, v in letter.headers])
    await compliance.replay(not_ours)
    assert await _status(compliance, case.referrals["brighter-tomorrows"]) == "issued", "intake's to replay, not ours"

    nothing_there = replace(letter, offset=letter.offset + 1000)
    await compliance.replay(nothing_there)
    letters = await read_topic(compliance.kafka, dead_letters, at_least=2)
    assert [dict(r.headers)["dlq_error_class"] for r in letters[1:]] == [b"NoSuchDeadLetter"]
    assert dict(letters[1].headers)["dlq_origin_topic"] == compliance.settings.topic("diversion.replays.v1").encode()


async def _status(compliance, referral) -> str:
    return await compliance.pool.fetchval("SELECT status FROM referrals WHERE referral_id = $1", referral)
