"""The router's batch memory counts each agency's load as the database's trigger would: a referral placed
holding a place, issued from the queue, or freed moves it; reading a referral never does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from schemas.vocabulary import DeliveryMode, ReferralStatus
from services.referral_router.adapters.router_batch import RouterBatch
from services.referral_router.domain.entities import Referral

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def referral(status: ReferralStatus, agency: str = "womens-programme") -> Referral:
    return Referral(uuid.uuid4(), uuid.uuid4(), agency, (), DeliveryMode.FACE_TO_FACE, status, "", [])


def test_reading_a_referral_moves_no_load():
    batch = RouterBatch(load_read={"womens-programme": 3})
    batch.remember(referral(ReferralStatus.ISSUED))
    assert batch.load() == {"womens-programme": 3}


def test_placing_issuing_and_freeing_move_the_agencys_load():
    batch = RouterBatch(load_read={"womens-programme": 3})
    placed = referral(ReferralStatus.ISSUED)
    queued = referral(ReferralStatus.QUEUED)
    accepted = batch.remember(referral(ReferralStatus.ACCEPTED))
    batch.keep(placed)
    batch.keep(queued)
    assert batch.load() == {"womens-programme": 4}

    batch.change(queued.referral_id, AT, status=ReferralStatus.ISSUED)
    batch.change(accepted.referral_id, AT, status=ReferralStatus.COMPLETED)
    batch.change(placed.referral_id, AT, status=ReferralStatus.ACCEPTED)
    assert batch.load() == {"womens-programme": 4}


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
