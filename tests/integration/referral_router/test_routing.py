"""The router on the real broker and database: issue, decline, silence, nobody eligible, re-assessment,
withdrawal, capacity, replay, catalogue reload."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.commands import InterventionCompleted, ReferralAccepted, ReferralDeclined
from schemas.events import (
    ReferralCancelled,
    ReferralIssued,
    ReferralReassigned,
    ReferralUnmatched,
)
from schemas.topics import CASES
from services.referral_router.entrypoints.timers import sweep_once
from tests.kafka_tools import produce, read_topic

NOW = datetime(2026, 3, 3, 10, tzinfo=UTC)


def declined(referral: ReferralIssued) -> ReferralDeclined:
    return ReferralDeclined(
        case_id=referral.case_id,
        referral_id=referral.referral_id,
        agency_id=referral.agency_id,
        occurred_at=NOW,
        reason="no_capacity",
    )


async def test_an_assessed_case_gets_one_referral_per_agency_with_the_personal_details_it_needs(router):
    case = await router.open_case(("women_specific_support", "medium"), ("alcohol_misuse", "medium"), sex="female")

    issued = await router.issued(case)

    assert sorted(r.agency_id for r in issued) == ["substance-misuse-treatment", "womens-programme"]
    for referral in issued:
        assert referral.personal is not None and referral.personal.family_name == "Example"
        assert referral.explanation and referral.candidates
        assert referral.respond_by > router.clock.now()
    disclosures = await router.pool.fetch("SELECT agency_id, fields, purpose FROM disclosures ORDER BY agency_id")
    assert [d["agency_id"] for d in disclosures] == ["substance-misuse-treatment", "womens-programme"]
    assert "family_name" in disclosures[0]["fields"] and disclosures[0]["purpose"]


async def test_a_decline_reassigns_the_referral_to_the_next_best_agency(router):
    case = await router.open_case(("housing", "medium"))
    (first,) = await router.issued(case)

    await router.agency_says(declined(first))

    events = await router.published(case)
    reassigned = [p for t, p in events if t == ReferralReassigned.event_type]
    issued = [p for t, p in events if t == ReferralIssued.event_type]
    assert len(reassigned) == 1 and reassigned[0].referral_id == first.referral_id
    assert reassigned[0].reason == "declined"
    assert len(issued) == 2 and issued[1].agency_id != first.agency_id
    assert reassigned[0].new_referral_id == issued[1].referral_id


async def test_no_answer_within_the_service_level_reassigns_the_referral(router):
    case = await router.open_case(("housing", "medium"))
    (first,) = await router.issued(case)
    assert await sweep_once(router.pool, router.app.state.context) == 0, "nothing is overdue yet"

    router.clock.advance(days=30)
    swept = await sweep_once(router.pool, router.app.state.context)

    assert swept == 1
    events = await router.published(case)
    reassigned = [p for t, p in events if t == ReferralReassigned.event_type]
    assert [r.reason for r in reassigned] == ["no_response"]
    assert (
        await router.pool.fetchval("SELECT status FROM referrals WHERE referral_id = $1", first.referral_id)
        == "timed_out"
    )


async def test_an_accepted_referral_is_not_swept(router):
    case = await router.open_case(("housing", "medium"))
    (first,) = await router.issued(case)
    await router.agency_says(
        ReferralAccepted(case_id=case, referral_id=first.referral_id, agency_id=first.agency_id, occurred_at=NOW)
    )
    router.clock.advance(days=30)
    assert await sweep_once(router.pool, router.app.state.context) == 0


async def test_a_need_nobody_can_take_is_published_as_unmatched(router):
    case = await router.open_case(("da_perpetrator_programme", "medium"))  # not a domestic abuse case

    events = await router.published(case)

    assert [t for t, _ in events] == [ReferralUnmatched.event_type]
    assert events[0][1].reason == "no_eligible_agency"
    assert await router.pool.fetchval("SELECT count(*) FROM unmatched_needs") == 1


async def test_when_every_agency_declined_the_need_is_unmatched(router):
    case = await router.open_case(("alcohol_misuse", "medium"))
    (only,) = await router.issued(case)

    await router.agency_says(declined(only))

    events = await router.published(case)
    assert [p.reason for t, p in events if t == ReferralUnmatched.event_type] == ["all_agencies_declined"]


async def test_reassessment_adds_referrals_for_new_needs_and_cancels_those_for_needs_gone(router):
    case = await router.open_case(("housing", "medium"), ("alcohol_misuse", "medium"))
    before = {r.agency_id: r for r in await router.issued(case)}

    await router.reassess(case, ("alcohol_misuse", "medium"), ("physical_health", "high"))

    events = await router.published(case)
    cancelled = [p for t, p in events if t == ReferralCancelled.event_type]
    issued = [p for t, p in events if t == ReferralIssued.event_type]
    housing = next(r for r in before.values() if r.needs[0].category == "housing")
    assert [(c.referral_id, c.reason) for c in cancelled] == [(housing.referral_id, "need_no_longer_assessed")]
    assert issued[-1].agency_id == "liaison-and-diversion"
    assert len(issued) == len(before) + 1, "the alcohol referral was left alone"


async def test_a_withdrawn_case_cancels_its_open_referrals(router):
    from schemas.events import CaseWithdrawn

    case = await router.open_case(("housing", "medium"), ("alcohol_misuse", "medium"))
    issued = await router.issued(case)

    await router.send(CASES.name, CaseWithdrawn(case_id=case, reason="entered_in_error", withdrawn_at=NOW))

    cancelled = [p for t, p in await router.published(case) if t == ReferralCancelled.event_type]
    assert sorted(c.referral_id for c in cancelled) == sorted(r.referral_id for r in issued)
    assert {c.reason for c in cancelled} == {"case_withdrawn"}


async def test_a_full_agency_queues_and_issues_when_a_place_frees(router, catalogue_file):
    text = catalogue_file.read_text()
    catalogue_file.write_text(text.replace("capacity: 20\n", "capacity: 1\n", 1))  # the women's programme
    assert await router.app.state.context.catalogue.reload_if_changed(router.pool, router.clock)
    first_case = await router.open_case(("women_specific_support", "medium"), sex="female")
    second_case = await router.open_case(("women_specific_support", "medium"), sex="female")
    (first,) = await router.issued(first_case)
    assert await router.issued(second_case) == []
    assert await router.pool.fetchval("SELECT status FROM referrals WHERE case_id = $1", second_case) == "queued"

    await router.agency_says(
        InterventionCompleted(
            case_id=first_case,
            referral_id=first.referral_id,
            agency_id=first.agency_id,
            occurred_at=NOW,
            goals=[{"need": "women_specific_support", "goal": "attend the programme", "outcome": "achieved"}],
        )
    )

    (second,) = await router.issued(second_case)
    assert second.agency_id == "womens-programme"


async def test_a_broken_catalogue_change_is_refused_and_the_last_good_one_kept(router, catalogue_file):
    version = router.app.state.context.catalogue().version
    catalogue_file.write_text(catalogue_file.read_text().replace("capacity: 20", "capacity: lots", 1))

    assert await router.app.state.context.catalogue.reload_if_changed(router.pool, router.clock) is False
    assert router.app.state.context.catalogue().version == version


async def test_replaying_the_cases_topic_issues_no_new_referral(router):
    for n in range(5):
        await router.open_case(("housing", "medium"), ("alcohol_misuse", "low"), age_at_offence=20 + n)
    before = await router.published()
    cases = await read_topic(router.settings.kafka_bootstrap_servers, router.settings.topic(CASES.name), at_least=10)

    await produce(
        router.settings.kafka_bootstrap_servers,
        router.settings.topic(CASES.name),
        [(r.key, list(r.headers), r.value) for r in cases],
    )
    router.sent += len(cases)
    await router.settled()

    after = await router.published()
    assert len(after) == len(before) == 10
    assert sorted(map(repr, after)) == sorted(map(repr, before))
    assert await router.pool.fetchval("SELECT count(*) FROM referrals") == 10
