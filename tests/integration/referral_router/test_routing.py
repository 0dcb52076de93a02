"""The router on the real broker and database: it places needs (issued, queued, unmatched), follows what
compliance decides about each referral and case, places again what left its agency, recalls what is no
longer wanted, tells each agency only what its catalogue entry allows — and replays change nothing."""

from __future__ import annotations

from schemas.events import ReferralIssued, ReferralQueued, ReferralRecalled, ReferralUnmatched
from schemas.topics import CASES
from tests.kafka_tools import produce, read_topic


def of_type(events, event_type: str) -> list:
    return [payload for kind, payload in events if kind == event_type]


async def test_an_assessed_case_gets_one_referral_per_agency_with_what_each_may_be_told(router):
    case = await router.open_case(("women_specific_support", "medium"), ("alcohol_misuse", "medium"), sex="female")

    issued = {r.agency_id: r for r in await router.issued(case)}

    assert sorted(issued) == ["brighter-tomorrows", "substance-misuse-treatment"]
    for referral in issued.values():
        assert router.opened(referral)["family_name"] == "Example" and referral.personal.date_of_birth is None
        assert referral.personal.family_name == router.sealed[case]["family_name"], "forwarded sealed, unread"
        assert referral.explanation and referral.candidates and referral.issued_at == router.clock.now()
        assert referral.respond_by > router.clock.now()
        assert referral.brief.disposal_type == "adult_conditional_caution" and referral.brief.dash_risk is None
    disclosures = await router.pool.fetch(
        "SELECT recipient, fields, purpose, action FROM audit_log WHERE action = 'disclosure' ORDER BY recipient"
    )
    assert [d["recipient"] for d in disclosures] == ["brighter-tomorrows", "substance-misuse-treatment"]
    assert "family_name" in disclosures[0]["fields"] and "date_of_birth" not in disclosures[0]["fields"]
    assert {d["purpose"] for d in disclosures} == {"referral"}


async def test_an_agency_is_told_only_the_fields_its_entry_lists_and_only_a_da_programme_the_risk(
    router, catalogue_file
):
    text = catalogue_file.read_text()
    catalogue_file.write_text(
        text.replace("discloses: [given_name, family_name, email,", "discloses: [given_name, email,", 1)
    )  # the online anger management course, now told only a name and an email address
    assert await router.app.state.context.catalogue.reload_if_changed(router.pool, router.clock)
    online = await router.open_case(("anger_management", "low"))
    perpetrator = await router.open_case(
        ("da_perpetrator_programme", "medium"), domestic_abuse=True, dash_risk="medium"
    )

    (wellbeing,) = await router.issued(online)
    (programme,) = await router.issued(perpetrator)

    assert wellbeing.agency_id == "anger-management-course"
    assert router.opened(wellbeing) == {"given_name": "Sam", "email": "sam@example.org"}
    assert (programme.agency_id, programme.brief.dash_risk) == ("da-perpetrator-programme", "medium")


async def test_a_condition_an_agency_must_deliver_is_placed_with_its_terms_in_the_brief(router):
    condition = {
        "condition_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
        "kind": "rehabilitative",
        "description": "Attend the drug awareness course",
        "evidence": "completion",
        "reported_by": "agency",
        "addresses_need": "drug_misuse",
        "hours": 6,
    }
    case = await router.open_case(conditions=[condition])  # no need was assessed

    (issued,) = await router.issued(case)

    assert issued.agency_id == "substance-misuse-treatment"
    assert [n.category for n in issued.needs] == ["drug_misuse"]
    assert [(c.description, c.complete_by.isoformat()) for c in issued.brief.conditions] == [
        ("Attend the drug awareness course", "2026-06-22")
    ]


async def test_a_referral_compliance_says_was_declined_is_placed_with_the_next_best_agency(router):
    case = await router.open_case(("mental_health", "medium"), sex="female")  # Brighter Tomorrows, or L&D
    (first,) = await router.issued(case)

    await router.compliance_says(first, "declined")

    issued = await router.issued(case)
    assert len(issued) == 2 and issued[1].agency_id != first.agency_id
    assert issued[1].replaces == (first.referral_id,)
    assert await router.status_of(first.referral_id) == "declined"


async def test_a_referral_that_timed_out_is_placed_again_and_never_with_the_same_agency(router):
    case = await router.open_case(("alcohol_misuse", "medium"))
    (only,) = await router.issued(case)

    await router.compliance_says(only, "timed_out")

    events = await router.published(case)
    (unmatched,) = of_type(events, ReferralUnmatched.event_type)
    assert (unmatched.reason, unmatched.replaces) == ("all_agencies_declined", (only.referral_id,))
    assert await router.status_of(unmatched.referral_id) == "unmatched"


async def test_a_need_nobody_can_take_is_an_unmatched_referral_operations_can_see(router):
    case = await router.open_case(("da_perpetrator_programme", "medium"))  # not a domestic abuse case

    events = await router.published(case)

    assert [t for t, _ in events] == [ReferralUnmatched.event_type]
    assert events[0][1].reason == "no_eligible_agency"
    unplaced = await router.app.state.pool.fetch("SELECT status FROM referrals WHERE case_id = $1", case)
    assert [row["status"] for row in unplaced] == ["unmatched"]


async def test_reassessment_recalls_referrals_for_needs_gone_and_tries_unmatched_needs_again(router):
    case = await router.open_case(("housing", "medium"), ("alcohol_misuse", "medium"), ("physical_health", "high"))
    before = await router.published(case)
    housing = next(r for r in of_type(before, ReferralIssued.event_type) if r.needs[0].category == "housing")
    health = next(r for r in of_type(before, ReferralIssued.event_type) if r.needs[0].category == "physical_health")

    await router.compliance_says(health, "declined")  # liaison and diversion: no one else takes it
    (unmatched,) = of_type(await router.published(case), ReferralUnmatched.event_type)
    await router.reassess(case, ("alcohol_misuse", "medium"), ("physical_health", "high"))

    after = await router.published(case)
    (recalled,) = of_type(after, ReferralRecalled.event_type)
    assert (recalled.referral_id, recalled.reason) == (housing.referral_id, "need_no_longer_assessed")
    retried = of_type(after, ReferralUnmatched.event_type)[-1]
    assert retried.replaces == (unmatched.referral_id,), "the unmatched need was tried again"
    assert len(of_type(after, ReferralIssued.event_type)) == 3, "the alcohol referral was left alone"


async def test_a_full_agency_queues_and_issues_the_same_referral_when_compliance_frees_a_place(router, catalogue_file):
    text = catalogue_file.read_text()
    catalogue_file.write_text(text.replace("capacity: 30\n", "capacity: 1\n", 1))  # the women's programme
    assert await router.app.state.context.catalogue.reload_if_changed(router.pool, router.clock)
    first_case = await router.open_case(("women_specific_support", "medium"), sex="female")
    second_case = await router.open_case(("women_specific_support", "medium"), sex="female")
    (first,) = await router.issued(first_case)
    (queued,) = of_type(await router.published(second_case), ReferralQueued.event_type)
    assert queued.agency_id == "brighter-tomorrows"

    await router.compliance_says(first, "completed")

    (second,) = await router.issued(second_case)
    assert second.referral_id == queued.referral_id and second.personal is not None


async def test_a_queued_referral_compliance_cancelled_is_never_issued(router, catalogue_file):
    catalogue_file.write_text(catalogue_file.read_text().replace("capacity: 30\n", "capacity: 1\n", 1))
    assert await router.app.state.context.catalogue.reload_if_changed(router.pool, router.clock)
    first_case = await router.open_case(("women_specific_support", "medium"), sex="female")
    second_case = await router.open_case(("women_specific_support", "medium"), sex="female")
    (first,) = await router.issued(first_case)
    (queued,) = of_type(await router.published(second_case), ReferralQueued.event_type)

    await router.compliance_says(queued, "cancelled")
    await router.compliance_says(first, "completed")

    assert await router.issued(second_case) == []
    assert await router.status_of(queued.referral_id) == "cancelled"


async def test_the_router_follows_only_newer_changes_and_never_regresses_on_an_echo(router):
    case = await router.open_case(("housing", "medium"))
    (referral,) = await router.issued(case)

    await router.compliance_says(referral, "completed", sequence=4)
    await router.compliance_says(referral, "accepted", sequence=2)  # late
    await router.compliance_says(referral, "issued", sequence=5)  # only an echo of the router's own placement

    assert await router.status_of(referral.referral_id) == "completed"
    assert (
        await router.pool.fetchval("SELECT sequence FROM referrals WHERE referral_id = $1", referral.referral_id) == 5
    )


async def test_a_referral_that_left_a_concluded_case_is_recalled_not_placed_again(router):
    case = await router.open_case(("housing", "medium"))
    (referral,) = await router.issued(case)

    await router.case_becomes(case, "withdrawn")
    await router.compliance_says(referral, "declined")

    (recalled,) = of_type(await router.published(case), ReferralRecalled.event_type)
    assert (recalled.referral_id, recalled.reason) == (referral.referral_id, "reroute_not_needed")
    assert len(await router.issued(case)) == 1


async def test_a_youth_case_reaches_the_youth_offending_team_with_or_without_assessed_needs(router):
    without_needs = await router.open_case(age_at_offence=15, youth_offending_team=True)
    with_needs = await router.open_case(("housing", "medium"), age_at_offence=15, youth_offending_team=True)

    (statutory,) = await router.issued(without_needs)
    (with_team,) = await router.issued(with_needs)

    assert (statutory.agency_id, statutory.needs) == ("youth-offending-service", ())
    assert "youth offending team" in statutory.explanation
    assert with_team.agency_id == "youth-offending-service" and [n.category for n in with_team.needs] == ["housing"]


async def test_a_broken_catalogue_change_is_refused_and_the_last_good_one_kept(router, catalogue_file):
    version = router.app.state.context.catalogue().version
    catalogue_file.write_text(catalogue_file.read_text().replace("capacity: 20", "capacity: lots", 1))

    assert await router.app.state.context.catalogue.reload_if_changed(router.pool, router.clock) is False
    assert router.app.state.context.catalogue().version == version


async def test_replaying_the_cases_topic_issues_no_new_referral(router):
    for n in range(5):
        await router.open_case(("housing", "medium"), ("alcohol_misuse", "low"), age_at_offence=20 + n)
    before = await router.published()
    cases = await read_topic(router.kafka, router.settings.topic(CASES.name), at_least=5)

    await produce(
        router.kafka,
        router.settings.topic(CASES.name),
        [(r.key, list(r.headers), r.value) for r in cases],
    )
    router.sent += len(cases)
    await router.settled()

    after = await router.published()
    assert len(after) == len(before) == 10
    assert sorted(map(repr, after)) == sorted(map(repr, before))
    assert await router.pool.fetchval("SELECT count(*) FROM referrals") == 10
