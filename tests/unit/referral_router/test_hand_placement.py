"""Placing needs by hand: a person's decision sets aside where and when (area, an earlier decline, a full agency),
never who and what (the need served, sex, age, disposal, domestic abuse, a safe delivery mode)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from schemas.vocabulary import DeliveryMode, NeedCategory, Severity
from services.referral_router.domain.hand_placement import HandDecision, HandPlacementRefused, placed_by_hand
from tests.unit.referral_router.test_matching import ADULT, CATALOGUE, WOMAN, need

N = NeedCategory
DECISION = HandDecision(by="Jo Duty (diversion team)", actor="team/jo@police.example", reason="Agreed by phone")
IN_CAMBRIDGE = replace(WOMAN, area="cambridge")
BRIGHTER = CATALOGUE.agency("brighter-tomorrows")


def test_an_agency_outside_the_area_takes_the_needs_on_the_teams_word_and_the_explanation_says_so():
    placement = placed_by_hand(
        BRIGHTER, (need(N.WOMEN_SPECIFIC_SUPPORT),), IN_CAMBRIDGE, DECISION, load=0, declined=frozenset()
    )

    assert (placement.agency_id, placement.queued) == ("brighter-tomorrows", False)
    assert placement.explanation.startswith(f"Placed by hand with {BRIGHTER.name} by Jo Duty (diversion team): ")
    assert "Agreed by phone" in placement.explanation
    assert "set aside: covers peterborough only" in placement.explanation


def test_a_full_agency_queues_the_referral_and_an_earlier_decline_is_set_aside():
    placement = placed_by_hand(
        BRIGHTER,
        (need(N.WOMEN_SPECIFIC_SUPPORT),),
        WOMAN,
        DECISION,
        load=BRIGHTER.capacity,
        declined=frozenset({N.WOMEN_SPECIFIC_SUPPORT}),
    )

    assert placement.queued
    assert "declined women specific support" in placement.explanation
    assert f"Queued: {BRIGHTER.capacity}/{BRIGHTER.capacity} places in use" in placement.explanation


def test_the_delivery_mode_is_the_safest_fit_the_agency_offers():
    placement = placed_by_hand(
        BRIGHTER, (need(N.WOMEN_SPECIFIC_SUPPORT, Severity.HIGH),), WOMAN, DECISION, load=0, declined=frozenset()
    )
    assert placement.delivery_mode is DeliveryMode.FACE_TO_FACE


@pytest.mark.parametrize(
    ("agency_id", "person", "needs", "reason"),
    [
        ("housing-advice", WOMAN, (N.WOMEN_SPECIFIC_SUPPORT,), "does not serve women specific support"),
        ("brighter-tomorrows", ADULT, (N.WOMEN_SPECIFIC_SUPPORT,), "accepts female only"),
        ("da-perpetrator-programme", ADULT, (N.DA_PERPETRATOR_PROGRAMME,), "takes domestic abuse cases only"),
        ("brighter-tomorrows", replace(WOMAN, age=16), (N.WOMEN_SPECIFIC_SUPPORT,), "accepts ages 18+ only"),
    ],
)
def test_who_and_what_are_never_set_aside(agency_id, person, needs, reason):
    with pytest.raises(HandPlacementRefused) as refused:
        placed_by_hand(
            CATALOGUE.agency(agency_id), tuple(need(n) for n in needs), person, DECISION, load=0, declined=frozenset()
        )
    assert reason in refused.value.reasons


def test_every_need_must_be_one_the_agency_serves():
    with pytest.raises(HandPlacementRefused) as refused:
        placed_by_hand(
            BRIGHTER,
            (need(N.WOMEN_SPECIFIC_SUPPORT), need(N.HOUSING)),
            WOMAN,
            DECISION,
            load=0,
            declined=frozenset(),
        )
    assert refused.value.reasons == ("does not serve housing",)
