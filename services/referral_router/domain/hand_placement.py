"""Placing needs by hand: the diversion team chooses the agency for needs no agency could take, and says why.

The team knows what the catalogue cannot: an agency outside the person's area has agreed to see them, an agency
that declined has reconsidered after a call, an agency that passes work on while full will take this one in turn.
So a person's decision, with a reason, waives the constraints of *where* and *when* — the area, an earlier decline
or silence, a full agency (the referral then queues for a place, as at an agency whose policy is to queue) — and
the explanation says which were waived, and why.

It never waives the constraints of *who* and *what*, which protect the person or the programme: the agency serves
each need; accepts the person's sex, age and disposal; takes domestic abuse cases only if it is a domestic abuse
programme, at the DASH levels it lists; offers a delivery mode safe for the need's severity; takes only partners'
onward referrals if that is its rule; and is not the agency that referred the need onward itself. A hand placement
those refuse is refused, naming them, like any other match (`suitability` holds every constraint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemas.vocabulary import NeedCategory
from services.referral_router.domain import explanation
from services.referral_router.domain.catalogue import Agency
from services.referral_router.domain.matching import Placement
from services.referral_router.domain.suitability import Gate, Need, Person, refusals, score

WAIVABLE = frozenset({Gate.AREA, Gate.DECLINED, Gate.CAPACITY})
"""The constraints a named person's decision, with a reason, may set aside (see the module's docstring)."""
REASON_LIMIT = 500


class HandPlacementRefused(ValueError):
    """The agency cannot take these needs for this person, whoever decides: the reasons name the constraints."""

    def __init__(self, agency_id: str, reasons: Sequence[str]) -> None:
        super().__init__(f"{agency_id} cannot take them: {'; '.join(reasons)}")
        self.reasons = tuple(reasons)


@dataclass(frozen=True)
class HandDecision:
    """Who placed the needs by hand — as the agency reads it (`by`) and their account (`actor`, for the audit trail)
    — and why (free text, kept in the referral's explanation on its events: no personal details)."""

    by: str
    actor: str
    reason: str


def placed_by_hand(
    agency: Agency,
    needs: Sequence[Need],
    person: Person,
    decision: HandDecision,
    *,
    load: int,
    declined: frozenset[NeedCategory],
) -> Placement:
    """The placement of all of `needs` with `agency` on the team's decision; `load` is the agency's active referrals
    now and `declined` the categories it declined (or let pass) for this case. Raises `HandPlacementRefused`."""
    found = [
        refusal
        for need in needs
        for refusal in refusals(agency, need, person, load=load, declined=need.category in declined)
    ]
    standing = list(dict.fromkeys(r.reason for r in found if r.gate not in WAIVABLE))
    if standing or not needs:
        raise HandPlacementRefused(agency.id, standing or ["there are no needs to place"])
    waived = list(dict.fromkeys(r.reason for r in found if r.gate in WAIVABLE))
    chosen = score(agency, needs, person, load=load)
    queued = load >= agency.capacity
    text = explanation.hand_placement_explanation(
        agency=agency, by=decision.by, reason=decision.reason, waived=waived, load=load, queued=queued
    )
    return Placement(
        agency_id=agency.id,
        needs=tuple(needs),
        delivery_mode=chosen.mode,
        score=chosen.total,
        explanation=text,
        candidates=(),
        queued=queued,
    )
