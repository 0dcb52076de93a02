"""A partner agency follows its referrals on a topic of its own, which compliance makes the first time the
agency gets one: copies of every change to the referrals issued to it, and nothing of anyone else's."""

from __future__ import annotations

from schemas.envelope import decode
from schemas.registry import MESSAGE_TYPES
from schemas.topics import AGENCY_REFERRALS
from tests.kafka_tools import PARTIES, eventually, read_topic

NEW_AGENCY = "money-advice"


async def test_an_agencys_referral_changes_go_to_its_own_topic_made_when_it_gets_its_first(compliance):
    assert NEW_AGENCY not in PARTIES.agencies  # so its topic is not among those `make up` (the fixture) made
    await compliance.add_client(NEW_AGENCY, NEW_AGENCY)
    case = await compliance.open_case(
        referrals={NEW_AGENCY: ["finances_benefits_debt"], "brighter-tomorrows": ["women_specific_support"]}
    )
    accepted = await compliance.post(NEW_AGENCY, case.referrals[NEW_AGENCY], "accept")
    assert accepted.status_code == 200, accepted.text
    ours = compliance.settings.topic(AGENCY_REFERRALS.named(NEW_AGENCY))

    async def copies() -> list:
        records = await read_topic(compliance.kafka, ours, at_least=2, timeout=5)
        return [decode(r.headers, r.value, MESSAGE_TYPES)[1] for r in records] if len(records) >= 2 else []

    copied = await eventually(copies, timeout=60)
    assert {event.referral_id for event in copied} == {case.referrals[NEW_AGENCY]}
    assert [event.status.value for event in copied][-2:] == ["issued", "accepted"]
    assert all(event.agency_id == NEW_AGENCY for event in copied)
    raw = b"".join(r.value for r in await read_topic(compliance.kafka, ours, at_least=len(copied)))
    assert b"Alex" not in raw and b"+44 7700" not in raw  # contact details stay behind the audited gateway read

    theirs = await read_topic(
        compliance.kafka, compliance.settings.topic(AGENCY_REFERRALS.named("brighter-tomorrows")), at_least=1
    )
    others = [decode(r.headers, r.value, MESSAGE_TYPES)[1] for r in theirs]
    assert {event.referral_id for event in others} == {case.referrals["brighter-tomorrows"]}
