"""Matching at its boundaries: every hard constraint, capacity, declines, consolidation, youth cases, ties.

Most cases run against the committed catalogue, so they also check that the seeded agencies
say what the force means; ties and overflowing explanations use small synthetic catalogues.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytest import param

from schemas.vocabulary import DashRiskLevel, DeliveryMode, DisposalType, NeedCategory, Severity, Sex, UnmatchedReason
from services.referral_router.domain.catalogue import Agency, Catalogue, load_catalogue
from services.referral_router.domain.matching import MatchResult, Need, Person, match

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[3] / "deploy" / "agencies" / "catalogue.yaml")

ADULT = Person(
    age=30,
    sex=Sex.MALE,
    area="peterborough",
    disposal=DisposalType.ADULT_CONDITIONAL_CAUTION,
    domestic_abuse=False,
    dash_risk=None,
    youth_offending_team=False,
)
WOMAN = replace(ADULT, sex=Sex.FEMALE)
DA_CASE = replace(ADULT, domestic_abuse=True, dash_risk=DashRiskLevel.STANDARD)
YOUTH = replace(ADULT, age=15, youth_offending_team=True)

N = NeedCategory
HIGH, MEDIUM, LOW = Severity.HIGH, Severity.MEDIUM, Severity.LOW
NO_ELIGIBLE = UnmatchedReason.NO_ELIGIBLE_AGENCY
NO_CAPACITY = UnmatchedReason.NO_CAPACITY
ALL_DECLINED = UnmatchedReason.ALL_AGENCIES_DECLINED


def need(category: NeedCategory, severity: Severity = MEDIUM, preferred: DeliveryMode | None = None) -> Need:
    return Need(category, severity, preferred)


def outcome(result: MatchResult) -> dict[str, tuple[NeedCategory, ...]]:
    """Agency id (or unmatched reason) → the needs it got, in order."""
    placed = {placement.agency_id: tuple(n.category for n in placement.needs) for placement in result.placements}
    left = {unplaced.reason.value: tuple(n.category for n in unplaced.needs) for unplaced in result.unplaced}
    return placed | left


def agency(agency_id: str, **changes: Any) -> Agency:
    return Agency.model_validate(
        {
            "id": agency_id,
            "name": f"Agency {agency_id}",
            "needs": ["housing"],
            "accepts": {"min_age": 18},
            "delivery_modes": ["face_to_face"],
            "capacity": 10,
            "respond_within_working_days": 5,
            "first_contact_within_working_days": 5,
            "action_plan": "diversion_team",
            "when_full": "next_best",
            "discloses": ["given_name", "family_name", "phone"],
        }
        | changes
    )


def catalogue(*agencies: Agency) -> Catalogue:
    return Catalogue(version="test", bank_holidays=frozenset(), agencies=agencies)


def placed(
    person: Person, category: NeedCategory, load: Mapping[str, int] | None = None, declined: Iterable[str] = ()
) -> str:
    """Where one medium need goes: the agency id, or the reason it is unplaced."""
    (where,) = outcome(match(person, [need(category)], CATALOGUE, load or {}, {category: frozenset(declined)}))
    return where


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        param(WOMAN, "brighter-tomorrows", id="woman in peterborough"),
        param(replace(WOMAN, age=18), "brighter-tomorrows", id="woman of 18"),
        param(ADULT, NO_ELIGIBLE, id="man"),
        param(replace(WOMAN, age=17), "youth-offending-service", id="girl of 17"),
        param(replace(WOMAN, area="fenland"), NO_ELIGIBLE, id="woman in fenland"),
    ],
)
def test_brighter_tomorrows_takes_women_of_18_and_over_in_peterborough(person: Person, expected: str) -> None:
    assert placed(person, N.WOMEN_SPECIFIC_SUPPORT) == expected


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        param(DA_CASE, "da-perpetrator-programme", id="DASH standard, conditional caution"),
        param(
            replace(DA_CASE, dash_risk=DashRiskLevel.MEDIUM, disposal=DisposalType.DIVERSIONARY_CAUTION),
            "da-perpetrator-programme",
            id="DASH medium, diversionary caution",
        ),
        param(ADULT, NO_ELIGIBLE, id="not a DA case"),
        param(replace(DA_CASE, dash_risk=DashRiskLevel.HIGH), NO_ELIGIBLE, id="DASH high"),
        param(replace(DA_CASE, dash_risk=None), NO_ELIGIBLE, id="DASH not recorded"),
        param(replace(DA_CASE, disposal=DisposalType.COMMUNITY_RESOLUTION), NO_ELIGIBLE, id="community resolution"),
        param(replace(DA_CASE, age=17), "youth-offending-service", id="DA case aged 17"),
    ],
)
def test_the_da_perpetrator_programme_takes_only_safe_da_cautions(person: Person, expected: str) -> None:
    assert placed(person, N.DA_PERPETRATOR_PROGRAMME) == expected


@pytest.mark.parametrize(
    ("person", "category", "expected"),
    [
        param(replace(ADULT, age=17), N.DRUG_MISUSE, "youth-offending-service", id="17: adult service refuses"),
        param(replace(ADULT, age=18), N.DRUG_MISUSE, "substance-misuse-treatment", id="18: adult service"),
        param(replace(ADULT, age=10), N.PHYSICAL_HEALTH, "liaison-and-diversion", id="10: youngest, ties by id"),
        param(replace(ADULT, age=18), N.PHYSICAL_HEALTH, "liaison-and-diversion", id="18: too old for the team"),
        param(WOMAN, N.WOMEN_SPECIFIC_SUPPORT, "brighter-tomorrows", id="local service, locally"),
        param(replace(WOMAN, area="fenland"), N.WOMEN_SPECIFIC_SUPPORT, NO_ELIGIBLE, id="local service, elsewhere"),
        param(replace(ADULT, area="fenland"), N.HOUSING, "housing-advice", id="force-wide service, anywhere"),
    ],
)
def test_age_and_area_limits(person: Person, category: NeedCategory, expected: str) -> None:
    assert placed(person, category) == expected


@pytest.mark.parametrize(
    ("person", "category", "load", "expected"),
    [
        param(WOMAN, N.MENTAL_HEALTH, {}, "brighter-tomorrows", id="room everywhere: the local programme"),
        param(WOMAN, N.MENTAL_HEALTH, {"brighter-tomorrows": 29}, "liaison-and-diversion", id="headroom counts"),
        param(WOMAN, N.MENTAL_HEALTH, {"brighter-tomorrows": 30}, "liaison-and-diversion", id="full: another has room"),
        param(ADULT, N.PHYSICAL_HEALTH, {"liaison-and-diversion": 150}, NO_CAPACITY, id="the only agency full"),
        param(ADULT, N.PHYSICAL_HEALTH, {"liaison-and-diversion": 151}, NO_CAPACITY, id="the only one over capacity"),
        param(ADULT, N.DRUG_MISUSE, {"substance-misuse-treatment": 200}, "substance-misuse-treatment", id="queue"),
    ],
)
def test_capacity(person: Person, category: NeedCategory, load: dict[str, int], expected: str) -> None:
    assert placed(person, category, load) == expected


@pytest.mark.parametrize(
    ("category", "load", "declined", "expected"),
    [
        param(N.MENTAL_HEALTH, {}, ["brighter-tomorrows"], "liaison-and-diversion", id="next best"),
        param(N.PHYSICAL_HEALTH, {}, ["liaison-and-diversion"], ALL_DECLINED, id="the only agency declined"),
        param(
            N.PHYSICAL_HEALTH,
            {"liaison-and-diversion": 150},
            ["liaison-and-diversion"],
            ALL_DECLINED,
            id="declined and full: waiting will not help",
        ),
        param(
            N.MENTAL_HEALTH,
            {"liaison-and-diversion": 150},
            ["brighter-tomorrows"],
            NO_CAPACITY,
            id="one declined, the other full: a place may free",
        ),
    ],
)
def test_an_agency_that_declined_or_stayed_silent_is_not_offered_the_need_again(
    category: NeedCategory, load: dict[str, int], declined: list[str], expected: str
) -> None:
    assert placed(WOMAN, category, load, declined) == expected


def test_a_decline_counts_only_for_the_need_declined() -> None:
    result = match(WOMAN, [need(N.MENTAL_HEALTH)], CATALOGUE, {}, {N.HOUSING: frozenset({"brighter-tomorrows"})})

    assert outcome(result) == {"brighter-tomorrows": (N.MENTAL_HEALTH,)}


@pytest.mark.parametrize(
    ("person", "needs", "expected"),
    [
        param(
            WOMAN,
            [N.ANGER_MANAGEMENT, N.FINANCES_BENEFITS_DEBT, N.EDUCATION_TRAINING],
            {"brighter-tomorrows": (N.ANGER_MANAGEMENT, N.FINANCES_BENEFITS_DEBT, N.EDUCATION_TRAINING)},
            id="one agency for three needs",
        ),
        param(
            WOMAN,
            [N.WOMEN_SPECIFIC_SUPPORT, N.FINANCES_BENEFITS_DEBT, N.MENTAL_HEALTH, N.HIDDEN_VICTIMISATION],
            {
                "brighter-tomorrows": (
                    N.WOMEN_SPECIFIC_SUPPORT,
                    N.FINANCES_BENEFITS_DEBT,
                    N.MENTAL_HEALTH,
                    N.HIDDEN_VICTIMISATION,
                )
            },
            id="the women's programme takes all four",
        ),
        param(
            ADULT,
            [N.PHYSICAL_HEALTH, N.MENTAL_HEALTH, N.HOUSING],
            {"liaison-and-diversion": (N.PHYSICAL_HEALTH, N.MENTAL_HEALTH), "housing-advice": (N.HOUSING,)},
            id="two agencies for three needs",
        ),
        param(
            ADULT,
            [N.FINANCES_BENEFITS_DEBT, N.EDUCATION_TRAINING],
            {"money-advice": (N.FINANCES_BENEFITS_DEBT,), "skills-and-courses": (N.EDUCATION_TRAINING,)},
            id="the food bank takes no police referral",
        ),
        param(
            ADULT,
            [N.HOUSING, N.WOMEN_SPECIFIC_SUPPORT],
            {"housing-advice": (N.HOUSING,), NO_ELIGIBLE: (N.WOMEN_SPECIFIC_SUPPORT,)},
            id="one placed, one unplaced",
        ),
        param(
            YOUTH,
            [N.MENTAL_HEALTH, N.HIDDEN_VICTIMISATION, N.DRUG_MISUSE],
            {"youth-offending-service": (N.MENTAL_HEALTH, N.HIDDEN_VICTIMISATION, N.DRUG_MISUSE)},
            id="youth: the team takes every need",
        ),
    ],
)
def test_consolidation_uses_the_fewest_agencies(
    person: Person, needs: list[NeedCategory], expected: dict[str, tuple[NeedCategory, ...]]
) -> None:
    assert outcome(match(person, [need(category) for category in needs], CATALOGUE, {})) == expected


@pytest.mark.parametrize(
    ("load", "excluded", "expected"),
    [
        param({}, {}, {"youth-offending-service": (N.MENTAL_HEALTH, N.HIDDEN_VICTIMISATION)}, id="the team takes all"),
        param(
            {"youth-offending-service": 500},
            {},
            {"youth-offending-service": (N.MENTAL_HEALTH, N.HIDDEN_VICTIMISATION)},
            id="the team is full: queued, not passed on",
        ),
        param(
            {},
            {N.HIDDEN_VICTIMISATION: frozenset({"youth-offending-service"})},
            {"victim-support": (N.HIDDEN_VICTIMISATION,), "youth-offending-service": (N.MENTAL_HEALTH,)},
            id="the team declined one need",
        ),
    ],
)
def test_a_youth_case_always_includes_the_youth_offending_team(
    load: dict[str, int],
    excluded: dict[NeedCategory, frozenset[str]],
    expected: dict[str, tuple[NeedCategory, ...]],
) -> None:
    needs = [need(N.MENTAL_HEALTH, HIGH), need(N.HIDDEN_VICTIMISATION, LOW)]

    assert outcome(match(YOUTH, needs, CATALOGUE, load, excluded)) == expected


def test_an_agency_that_queues_when_full_is_chosen_and_the_referral_queued() -> None:
    result = match(WOMAN, [need(N.WOMEN_SPECIFIC_SUPPORT)], CATALOGUE, {"brighter-tomorrows": 30})

    (placement,) = result.placements
    assert (placement.agency_id, placement.queued) == ("brighter-tomorrows", True)
    assert "queued until a place frees" in placement.explanation
    assert (
        not match(WOMAN, [need(N.WOMEN_SPECIFIC_SUPPORT)], CATALOGUE, {"brighter-tomorrows": 29}).placements[0].queued
    )


def test_every_candidate_is_explained_and_rejections_are_named() -> None:
    result = match(replace(WOMAN, age=17), [need(N.WOMEN_SPECIFIC_SUPPORT)], CATALOGUE, {})

    (placement,) = result.placements
    notes = {note.agency_id: note for note in placement.candidates}
    assert set(notes) == {"brighter-tomorrows", "youth-offending-service"}
    assert (notes["brighter-tomorrows"].eligible, notes["brighter-tomorrows"].score) == (False, None)
    assert notes["brighter-tomorrows"].reason == "accepts ages 18+ only"
    assert "brighter-tomorrows (accepts ages 18+ only)" in placement.explanation


@pytest.mark.parametrize(
    ("person", "refused", "reason"),
    [
        param(ADULT, "brighter-tomorrows", "accepts female only", id="sex"),
        param(replace(WOMAN, area="fenland"), "brighter-tomorrows", "covers peterborough only", id="area"),
        param(replace(DA_CASE, dash_risk=DashRiskLevel.HIGH), "da-perpetrator-programme", "DASH high risk", id="DASH"),
        param(ADULT, "da-perpetrator-programme", "takes domestic abuse cases only", id="DA only"),
        param(
            replace(DA_CASE, disposal=DisposalType.COMMUNITY_RESOLUTION),
            "da-perpetrator-programme",
            "does not take community resolution",
            id="disposal",
        ),
    ],
)
def test_an_unplaced_need_says_why_each_agency_refused(person: Person, refused: str, reason: str) -> None:
    needs = [need(N.WOMEN_SPECIFIC_SUPPORT), need(N.DA_PERPETRATOR_PROGRAMME)]
    unplaced = {u.reason: u for u in match(person, needs, CATALOGUE, {}).unplaced}[NO_ELIGIBLE]

    assert f"{refused} (" in unplaced.explanation
    assert reason in unplaced.explanation
    assert len(unplaced.explanation) <= 1000


def test_a_need_listed_twice_is_placed_once_as_first_assessed() -> None:
    result = match(ADULT, [need(N.HOUSING, HIGH), need(N.HOUSING, LOW, DeliveryMode.ONLINE)], CATALOGUE, {})

    (placement,) = result.placements
    assert placement.needs == (need(N.HOUSING, HIGH),)
    assert placement.delivery_mode is DeliveryMode.FACE_TO_FACE


def test_no_needs_no_referrals() -> None:
    assert match(ADULT, [], CATALOGUE, {}) == MatchResult(placements=(), unplaced=())


def test_in_a_youth_case_the_team_keeps_a_need_another_chosen_agency_would_score_higher_on() -> None:
    needs = [need(N.EDUCATION_TRAINING, LOW, DeliveryMode.ONLINE), need(N.EMPLOYMENT)]
    declined = {N.EMPLOYMENT: frozenset({"youth-offending-service"})}
    sixteen = replace(YOUTH, age=16)

    assert outcome(match(sixteen, needs, CATALOGUE, {}, declined)) == {
        "skills-and-courses": (N.EMPLOYMENT,),
        "youth-offending-service": (N.EDUCATION_TRAINING,),
    }
    assert outcome(match(replace(sixteen, youth_offending_team=False), needs, CATALOGUE, {}, declined)) == {
        "skills-and-courses": (N.EDUCATION_TRAINING, N.EMPLOYMENT)
    }


def test_a_youth_case_explains_why_other_eligible_agencies_lost() -> None:
    (placement,) = match(YOUTH, [need(N.MENTAL_HEALTH)], CATALOGUE, {}).placements

    assert placement.agency_id == "youth-offending-service"
    notes = {note.agency_id: note for note in placement.candidates}
    assert notes["liaison-and-diversion"].eligible
    assert "youth offending team takes every need it serves" in notes["liaison-and-diversion"].reason
    assert "Youth case" in placement.explanation


@pytest.mark.parametrize("preferred", [None, DeliveryMode.ONLINE])
@pytest.mark.parametrize("person", [ADULT, WOMAN, YOUTH, DA_CASE], ids=["adult", "woman", "youth", "DA case"])
def test_high_severity_is_never_delivered_online(person: Person, preferred: DeliveryMode | None) -> None:
    needs = [need(category, HIGH, preferred) for category in NeedCategory]

    result = match(person, needs, CATALOGUE, {})

    assert result.placements
    assert all(placement.delivery_mode is not DeliveryMode.ONLINE for placement in result.placements)


def test_an_online_only_agency_never_takes_a_high_severity_need() -> None:
    online = catalogue(agency("online-only", delivery_modes=["online"]))

    assert outcome(match(ADULT, [need(N.HOUSING, LOW)], online, {})) == {"online-only": (N.HOUSING,)}
    (unplaced,) = match(ADULT, [need(N.HOUSING, HIGH)], online, {}).unplaced
    assert unplaced.reason is NO_ELIGIBLE
    assert "online only: unsafe for high-severity needs" in unplaced.explanation


def test_ties_go_to_the_lower_agency_id_whatever_the_catalogue_order() -> None:
    forwards = catalogue(agency("agency-b"), agency("agency-a"))
    backwards = catalogue(agency("agency-a"), agency("agency-b"))
    needs = [need(N.HOUSING)]

    first = match(ADULT, needs, forwards, {})

    assert [placement.agency_id for placement in first.placements] == ["agency-a"]
    assert all(match(ADULT, needs, forwards, {}) == first for _ in range(5))
    assert match(ADULT, needs, backwards, {}) == first
    loser = next(note for note in first.placements[0].candidates if note.agency_id == "agency-b")
    assert "tied with agency-a" in loser.reason


def test_consolidation_beats_a_higher_score_from_more_agencies() -> None:
    both = agency("both", needs=["housing", "employment"], capacity=10)
    housing, employment = agency("housing", capacity=100), agency("jobs", needs=["employment"], capacity=100)
    needs = [need(N.HOUSING), need(N.EMPLOYMENT)]

    result = match(ADULT, needs, catalogue(housing, employment, both), {"both": 9})

    assert outcome(result) == {"both": (N.HOUSING, N.EMPLOYMENT)}
    assert "takes all 2 needs in one referral" in next(
        note.reason for note in result.placements[0].candidates if note.agency_id == "housing"
    )


def test_a_long_list_of_rejections_is_cut_to_fit_and_points_to_the_candidates() -> None:
    far = {"accepts": {"min_age": 18, "areas": ["bradford", "calderdale", "kirklees", "wakefield"]}}
    elsewhere = [agency(f"elsewhere-{number:02}", **far) for number in range(20)]

    (placement,) = match(ADULT, [need(N.HOUSING)], catalogue(agency("here"), *elsewhere), {}).placements

    assert placement.agency_id == "here"
    assert len(placement.candidates) == 21
    assert len(placement.explanation) <= 1000
    assert "elsewhere-00 (covers bradford, calderdale, kirklees, wakefield only)" in placement.explanation
    assert "more, listed with the candidates." in placement.explanation


def test_explanations_stay_within_the_event_contract() -> None:
    needs = [need(category, LOW) for category in NeedCategory]
    for person in [ADULT, WOMAN, DA_CASE, YOUTH]:
        result = match(person, needs, CATALOGUE, {"liaison-and-diversion": 150})
        for placement in result.placements:
            assert len(placement.explanation) <= 1000
            assert all(len(note.reason) <= 300 for note in placement.candidates)
            named = [note.agency_id for note in placement.candidates if note.agency_id != placement.agency_id]
            assert all(f"{agency_id} (" in placement.explanation for agency_id in named) or (
                "listed with the candidates" in placement.explanation
            )
        assert all(len(unplaced.explanation) <= 1000 for unplaced in result.unplaced)
