"""The router's batch memory counts each agency's load as the database's trigger would: a referral placed
holding a place, issued from the queue, or freed moves it; reading a referral never does."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

from schemas.vocabulary import DeliveryMode, ReferralStatus
from services.referral_router.adapters.router_batch import RouterBatch
from services.referral_router.domain.entities import Referral

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def referral(status: ReferralStatus, agency: str = "brighter-tomorrows") -> Referral:
    return Referral(uuid.uuid4(), uuid.uuid4(), agency, (), DeliveryMode.FACE_TO_FACE, status, "", [])


def test_reading_a_referral_moves_no_load():
    batch = RouterBatch(load_read={"brighter-tomorrows": 3})
    batch.remember(referral(ReferralStatus.ISSUED))
    assert batch.load() == {"brighter-tomorrows": 3}


def test_placing_issuing_and_freeing_move_the_agencys_load():
    batch = RouterBatch(load_read={"brighter-tomorrows": 3})
    placed = referral(ReferralStatus.ISSUED)
    queued = referral(ReferralStatus.QUEUED)
    accepted = batch.remember(referral(ReferralStatus.ACCEPTED))
    batch.keep(placed)
    batch.keep(queued)
    assert batch.load() == {"brighter-tomorrows": 4}

    batch.change(queued.referral_id, AT, status=ReferralStatus.ISSUED)
    batch.change(accepted.referral_id, AT, status=ReferralStatus.COMPLETED)
    batch.change(placed.referral_id, AT, status=ReferralStatus.ACCEPTED)
    assert batch.load() == {"brighter-tomorrows": 4}


def test_a_referral_read_then_changed_is_written_as_a_change_one_placed_as_a_placement():
    batch = RouterBatch(load_read={})
    read = batch.remember(referral(ReferralStatus.ISSUED))
    placed = referral(ReferralStatus.ISSUED)
    batch.placed.add(placed.referral_id)
    batch.keep(placed)

    batch.change(read.referral_id, AT, sequence=2)
    batch.change(placed.referral_id, AT, sequence=2)

    assert set(batch.changed) == {read.referral_id}
    assert batch.referrals[placed.referral_id].sequence == 2


WOMEN = "brighter-tomorrows"


def placed_one(capacity: int | None = 3, read: int = 2, status: ReferralStatus = ReferralStatus.ISSUED) -> RouterBatch:
    """A batch that read the agency at `read` and placed one referral there with `status`."""
    batch = RouterBatch(load_read={WOMEN: read}, capacity={} if capacity is None else {WOMEN: capacity})
    batch.keep(referral(status))
    return batch


def test_a_place_taken_stays_taken_if_the_agency_still_has_room_whatever_moved_meanwhile():
    assert placed_one().fits(WOMEN, active_now=2, queued_at=set())
    assert placed_one().fits(WOMEN, active_now=0, queued_at=set()), "others freed places: still fits"
    assert not placed_one().fits(WOMEN, active_now=3, queued_at=set()), "another replica took the last place"


def test_a_referral_queued_while_a_place_is_free_after_all_is_decided_again():
    queued = placed_one(read=3, status=ReferralStatus.QUEUED)
    assert queued.fits(WOMEN, active_now=3, queued_at={WOMEN})
    assert not queued.fits(WOMEN, active_now=2, queued_at={WOMEN}), "a place was freed by a replica that did not see it"


def test_an_agency_the_catalogue_no_longer_has_must_not_have_moved_at_all():
    assert placed_one(capacity=None).fits(WOMEN, active_now=2, queued_at=set())
    assert not placed_one(capacity=None).fits(WOMEN, active_now=1, queued_at=set())


def test_what_the_transaction_wrote_before_counts_as_its_own():
    batch = placed_one()
    batch.load_written = Counter(batch.load_change)  # its first write went through: the counter holds it
    batch.keep(referral(ReferralStatus.ISSUED))  # and it places one more
    assert not batch.fits(WOMEN, active_now=3, queued_at=set()), "2 read + 1 written + 1 now > 3"
    assert batch.fits(WOMEN, active_now=2, queued_at=set()), "a place freed meanwhile makes room"
