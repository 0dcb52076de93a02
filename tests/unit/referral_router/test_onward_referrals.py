"""Onward referrals: what a programme found in its own assessment and the person agreed to be referred for is
placed like the police's needs — apart from them, never back to the agency that found it, never to an agency that
takes only onward referrals when the police asked — and nothing personal goes to an agency the person did not agree
to be referred to."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from schemas.parts import OfficerContact
from schemas.vocabulary import CaseStatus, DisclosedField, NeedCategory, RiskLevel, SafeguardingFlag, Severity
from services.referral_router.domain import planning
from services.referral_router.domain.entities import RoutedCase, Safety
from services.referral_router.domain.matching import Need, match
from services.referral_router.domain.suitability import Gate, refusals
from tests.unit.referral_router.test_matching import ADULT, CATALOGUE, WOMAN, outcome

N = NeedCategory
FOUND_BY = uuid.uuid4()


def onward(category: NeedCategory, found_by: str = "brighter-tomorrows", origin: uuid.UUID = FOUND_BY) -> Need:
    return Need(category, Severity.MEDIUM, onward_from=origin, found_by=found_by)


def test_hidden_victimisation_found_by_brighter_tomorrows_goes_to_victim_support_not_back_to_it() -> None:
    found = onward(N.HIDDEN_VICTIMISATION)

    assert outcome(match(WOMAN, [found], CATALOGUE, {}, {})) == {"victim-support": (N.HIDDEN_VICTIMISATION,)}
    assert gates("brighter-tomorrows", found, WOMAN) == [Gate.FOUND_IT]
    assert gates("brighter-tomorrows", replace(found, found_by=None, onward_from=None), WOMAN) == []


def test_the_food_bank_takes_a_partners_onward_referral_but_never_the_polices() -> None:
    from_police = Need(N.FINANCES_BENEFITS_DEBT, Severity.LOW)
    from_a_partner = onward(N.FINANCES_BENEFITS_DEBT, "substance-misuse-treatment")

    assert gates("food-bank", from_police, ADULT) == [Gate.ONWARD_ONLY]
    assert gates("food-bank", from_a_partner, ADULT) == []


def gates(agency_id: str, need: Need, person) -> list[Gate]:
    (agency,) = [a for a in CATALOGUE.agencies if a.id == agency_id]
    return [refusal.gate for refusal in refusals(agency, need, person, load=0, declined=False)]


def test_wanted_needs_keep_the_polices_first_and_onward_needs_once_each() -> None:
    police = [Need(N.ALCOHOL_MISUSE, Severity.HIGH)]
    found = [onward(N.ALCOHOL_MISUSE), onward(N.HOUSING), onward(N.HOUSING, "substance-misuse-treatment", uuid.uuid4())]

    wanted = planning.wanted_needs(police, [], found)

    assert [(n.category, n.onward_from) for n in wanted] == [(N.ALCOHOL_MISUSE, None), (N.HOUSING, FOUND_BY)]


def test_needs_are_placed_by_origin_so_an_onward_referral_carries_only_what_one_agency_found() -> None:
    other = uuid.uuid4()
    needs = [Need(N.ALCOHOL_MISUSE, Severity.HIGH), onward(N.HOUSING, origin=other), onward(N.HIDDEN_VICTIMISATION)]

    groups = planning.by_origin(needs)

    assert sorted((str(origin), tuple(n.category for n in group)) for origin, group in groups) == sorted(
        [
            ("None", (N.ALCOHOL_MISUSE,)),
            (str(other), (N.HOUSING,)),
            (str(FOUND_BY), (N.HIDDEN_VICTIMISATION,)),
        ]
    )


def test_no_personal_detail_without_consent_and_only_the_fields_the_catalogue_allows() -> None:
    personal = {"given_name": "Alex", "family_name": "Example", "phone": "07700900123", "postcode": "PE1 1AA"}
    allowed = frozenset({DisclosedField.GIVEN_NAME, DisclosedField.PHONE})

    assert planning.minimised(personal, allowed) == {"given_name": "Alex", "phone": "07700900123"}
    assert planning.minimised(personal, allowed, consented=False) is None
    assert planning.minimised(personal, frozenset()) is None


def test_the_brief_carries_risk_severity_flags_and_the_officer_only_where_the_catalogue_allows() -> None:
    officer = OfficerContact(officer="PC1234", email="ocd.team@example.police.uk")
    case = RoutedCase(
        uuid.uuid4(),
        ADULT,
        CaseStatus.OPEN,
        date(2026, 6, 22),
        safety=Safety(RiskLevel.MEDIUM, (SafeguardingFlag.CHILDREN_IN_HOUSEHOLD,), officer),
    )
    needs = [Need(N.ALCOHOL_MISUSE, Severity.HIGH)]
    everything = frozenset(
        {DisclosedField.NEEDS, DisclosedField.RISK_OF_HARM, DisclosedField.SAFEGUARDING_FLAGS, DisclosedField.OFFICER}
    )

    full = planning.brief(needs, case, [], everything)
    bare = planning.brief(needs, case, [], frozenset())

    assert [(n.category, n.severity) for n in full.needs] == [(N.ALCOHOL_MISUSE, Severity.HIGH)]
    assert (full.risk_of_harm, full.safeguarding_flags, full.officer) == (
        RiskLevel.MEDIUM,
        (SafeguardingFlag.CHILDREN_IN_HOUSEHOLD,),
        officer,
    )
    assert (bare.needs, bare.risk_of_harm, bare.safeguarding_flags, bare.officer) == ((), None, (), None)
