"""The use case of placing a need by hand, on plain objects (a fake unit of work, as cosmicpython does): what it
refuses — an unknown referral, one not waiting, a concluded case, needs placed already, an unknown agency — and what
it does: a referral replacing the unmatched one, announced, its disclosure and the person's decision audited, and an
onward need never given back to the agency that found it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from schemas.vocabulary import CaseStatus, DeliveryMode, NeedCategory, ReferralStatus
from services.referral_router.domain.entities import Referral, RoutedCase
from services.referral_router.domain.hand_placement import HandDecision, HandPlacementRefused
from services.referral_router.service_layer.placement import (
    NotUnplaced,
    UnknownAgency,
    UnknownReferral,
    place_by_hand,
)
from tests.unit.referral_router.test_matching import CATALOGUE, WOMAN, need

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DECISION = HandDecision(by="Jo Duty (diversion team)", actor="diversion_team/jo@police.example", reason="Agreed")
CASE = RoutedCase(uuid.uuid4(), replace(WOMAN, area="cambridge"), CaseStatus.OPEN)


def unmatched(**changes) -> Referral:
    return Referral(
        referral_id=uuid.uuid4(),
        case_id=CASE.case_id,
        agency_id=None,
        needs=(need(NeedCategory.WOMEN_SPECIFIC_SUPPORT),),
        delivery_mode=DeliveryMode.FACE_TO_FACE,
        status=ReferralStatus.UNMATCHED,
        explanation="No agency in the catalogue can take women specific support.",
        candidates=[],
        **changes,
    )


@dataclass
class FakeStore:
    referrals: dict[uuid.UUID, Referral] = field(default_factory=dict)
    cases: dict[uuid.UUID, RoutedCase] = field(default_factory=lambda: {CASE.case_id: CASE})
    load: dict[str, int] = field(default_factory=dict)
    disclosed: list[tuple[uuid.UUID, str]] = field(default_factory=list)

    async def referral(self, referral_id, *, for_update=False):
        return self.referrals.get(referral_id)

    async def case(self, case_id, *, for_update=False):
        return self.cases.get(case_id)

    async def referrals_of_case(self, case_id):
        return [r for r in self.referrals.values() if r.case_id == case_id]

    async def exclusions(self, case_id):
        return {}

    async def agency_load(self):
        return self.load

    def add_referral(self, referral, *, now):
        self.referrals[referral.referral_id] = referral

    async def consented(self, found_by, needs):
        return True

    async def personal_details(self, case_id):
        return {"given_name": "c2VhbGVk" * 5}  # as intake sealed it (base64): the router never opens it

    async def conditions(self, case_id):
        return []

    def record_disclosure(self, referral, fields, *, why, at):
        self.disclosed.append((referral.referral_id, referral.agency_id))


@dataclass
class FakeContext:
    def catalogue(self):
        return CATALOGUE

    def new_id(self):
        return uuid.uuid4()


@dataclass
class FakeUnitOfWork:
    store: FakeStore = field(default_factory=FakeStore)
    context: FakeContext = field(default_factory=FakeContext)
    published: list = field(default_factory=list)
    audited: list[dict] = field(default_factory=list)

    @property
    def outbox(self):
        return self

    def publish(self, event):
        self.published.append(event)

    def audit(self, **entry):
        self.audited.append(entry)

    def now(self):
        return NOW


def with_referrals(*referrals: Referral) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.store.referrals = {r.referral_id: r for r in referrals}
    return uow


async def test_the_new_referral_replaces_the_unmatched_one_and_is_announced_disclosed_and_audited():
    waiting = unmatched()
    uow = with_referrals(waiting)

    placed = await place_by_hand(waiting.referral_id, "brighter-tomorrows", DECISION, uow, via="workspace")

    assert (placed.agency_id, placed.status, placed.replaces) == (
        "brighter-tomorrows",
        ReferralStatus.ISSUED,
        (waiting.referral_id,),
    )
    (issued,) = uow.published
    assert (issued.referral_id, issued.replaces) == (placed.referral_id, (waiting.referral_id,))
    assert uow.store.disclosed == [(placed.referral_id, "brighter-tomorrows")]
    (entry,) = uow.audited
    assert (entry["actor"], entry["recipient"]) == ("diversion_team/jo@police.example", "brighter-tomorrows")
    assert entry["detail"].endswith("(sent by workspace)")


async def test_a_full_agency_queues_it():
    waiting = unmatched()
    uow = with_referrals(waiting)
    uow.store.load = {"brighter-tomorrows": CATALOGUE.agency("brighter-tomorrows").capacity}

    placed = await place_by_hand(waiting.referral_id, "brighter-tomorrows", DECISION, uow, via="workspace")

    assert placed.status == ReferralStatus.QUEUED and placed.issued_at is None
    assert uow.store.disclosed == [], "nothing is disclosed to an agency until it is issued"


@pytest.mark.parametrize(
    ("uow_for", "refused"),
    [
        (lambda waiting: with_referrals(), UnknownReferral),
        (lambda waiting: with_referrals(replace(waiting, status=ReferralStatus.CANCELLED)), NotUnplaced),
        (lambda waiting: with_referrals(waiting, replace(unmatched(), replaces=(waiting.referral_id,))), NotUnplaced),
    ],
    ids=["unknown", "not waiting", "placed already"],
)
async def test_only_a_need_waiting_for_a_place_is_placed(uow_for, refused):
    waiting = unmatched()
    uow = uow_for(waiting)
    before = dict(uow.store.referrals)

    with pytest.raises(refused):
        await place_by_hand(waiting.referral_id, "brighter-tomorrows", DECISION, uow, via="workspace")

    assert uow.store.referrals == before and uow.published == [] and uow.audited == []


async def test_a_concluded_case_gets_no_placement_and_an_unknown_agency_none():
    waiting = unmatched()
    concluded = with_referrals(waiting)
    concluded.store.cases = {CASE.case_id: replace(CASE, status=CaseStatus.COMPLETED)}
    with pytest.raises(NotUnplaced):
        await place_by_hand(waiting.referral_id, "brighter-tomorrows", DECISION, concluded, via="workspace")
    with pytest.raises(UnknownAgency):
        await place_by_hand(waiting.referral_id, "no-such-agency", DECISION, with_referrals(waiting), via="workspace")


async def test_an_onward_need_is_never_given_back_to_the_agency_that_found_it():
    finder = replace(unmatched(), agency_id="brighter-tomorrows", status=ReferralStatus.IN_PROGRESS)
    waiting = unmatched(onward_from=finder.referral_id)
    uow = with_referrals(finder, waiting)

    with pytest.raises(HandPlacementRefused, match="referred it onward"):
        await place_by_hand(waiting.referral_id, "brighter-tomorrows", DECISION, uow, via="workspace")
