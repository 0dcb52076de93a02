"""Which needs a case's referrals must cover, what to recall, and what an agency is told. No I/O.

The needs to place are the assessed needs plus the need of every condition an agency must deliver
(a condition imposed by the police needs an agency even if no assessment named its need), plus the needs a
partner agency's own assessment found and the person agreed to be referred onward for — placed apart, as
referrals naming the referral whose agency found them, and only with that consent. A need
is *covered* while a referral for it is waiting for a place, open, or has run its course (completed,
breached, disengaged: its outcome is for compliance and the police, not a reason to refer again);
an unmatched need is tried again with each new plan, and a referral that left its agency is placed
again, or recalled when its needs are no longer wanted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from uuid import UUID

from schemas.events import ConditionToDeliver, DeliveryBrief
from schemas.parts import AssessedNeed
from schemas.vocabulary import CaseStatus, ConditionReporter, DisclosedField, ReferralStatus, Severity
from services.referral_router.domain.entities import Referral, RoutedCase, TrackedCondition
from services.referral_router.domain.suitability import Need

OPEN = frozenset(
    {
        ReferralStatus.UNMATCHED,
        ReferralStatus.QUEUED,
        ReferralStatus.ISSUED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.IN_PROGRESS,
    }
)
COVERING = frozenset(
    {
        ReferralStatus.QUEUED,
        ReferralStatus.ISSUED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.COMPLETED,
        ReferralStatus.BREACHED,
        ReferralStatus.DISENGAGED,
    }
)
LEFT_THE_AGENCY = frozenset({ReferralStatus.DECLINED, ReferralStatus.TIMED_OUT, ReferralStatus.AGENCY_WITHDREW})
CONCLUDED = frozenset(
    {
        CaseStatus.COMPLETED,
        CaseStatus.NOT_COMPLETED,
        CaseStatus.PROSECUTED,
        CaseStatus.NO_FURTHER_ACTION,
        CaseStatus.WITHDRAWN,
    }
)
PLACEMENTS = frozenset({ReferralStatus.UNMATCHED, ReferralStatus.QUEUED, ReferralStatus.ISSUED})
"""Statuses the router sets itself when it places; compliance's events with them only echo that."""


@dataclass(frozen=True)
class Plan:
    recall: tuple[Referral, ...]
    """Open referrals none of whose needs is wanted any more."""
    to_place: tuple[Need, ...]
    replacing: tuple[Referral, ...]
    """Unmatched referrals whose needs are in `to_place`, tried again."""


def wanted_needs(
    assessed: Sequence[Need], conditions: Iterable[TrackedCondition], onward: Sequence[Need] = ()
) -> tuple[Need, ...]:
    """The police's assessed needs, those of the agencies' conditions, then the consented onward needs (`onward`,
    each naming the referral whose agency found it): each category once, the police's first."""
    needs = list(assessed)
    seen = {need.category for need in needs}
    for condition in conditions:
        terms = condition.terms
        if not condition.in_force or terms is None or terms.reported_by != ConditionReporter.AGENCY:
            continue
        if terms.addresses_need is not None and terms.addresses_need not in seen:
            needs.append(Need(terms.addresses_need, Severity.MEDIUM))
            seen.add(terms.addresses_need)
    for need in onward:
        if need.onward_from is not None and need.category not in seen:
            needs.append(need)
            seen.add(need.category)
    return tuple(needs)


def by_origin(needs: Sequence[Need]) -> list[tuple[UUID | None, tuple[Need, ...]]]:
    """`needs` grouped for placing: the police's (and conditions') together, then each referral's onward needs
    apart, so that an onward referral carries only what one agency found, with the person's consent to it."""

    def origin(need: Need) -> str:
        return "" if need.onward_from is None else str(need.onward_from)

    ordered = sorted(needs, key=origin)
    return [(group[0].onward_from, group) for _, g in groupby(ordered, key=origin) if (group := tuple(g))]


def plan(wanted: Sequence[Need], referrals: Sequence[Referral]) -> Plan:
    categories = {need.category for need in wanted}
    recall = tuple(
        r for r in referrals if r.status in OPEN and r.needs and not ({n.category for n in r.needs} & categories)
    )
    replacing = tuple(r for r in referrals if r.status == ReferralStatus.UNMATCHED and r not in recall)
    covered = {need.category for r in referrals if r.status in COVERING for need in r.needs}
    return Plan(recall, tuple(need for need in wanted if need.category not in covered), replacing)


def still_wanted(left: Referral, wanted: Sequence[Need], referrals: Sequence[Referral]) -> tuple[Need, ...]:
    """The needs of a referral that left its agency that must be placed again: still wanted (as they are wanted
    now, an onward need with the referral that found it), and covered by no other referral."""
    leaving = {need.category for need in left.needs}
    covered = {
        need.category
        for r in referrals
        if r.referral_id != left.referral_id and r.status in COVERING | {ReferralStatus.UNMATCHED}
        for need in r.needs
    }
    return tuple(need for need in wanted if need.category in leaving and need.category not in covered)


def replaced_by(needs: Iterable[Need], replacing: Iterable[Referral]) -> tuple[UUID, ...]:
    categories = {need.category for need in needs}
    return tuple(r.referral_id for r in replacing if {n.category for n in r.needs} & categories)


def brief(
    needs: Sequence[Need],
    case: RoutedCase,
    conditions: Iterable[TrackedCondition],
    allowed: frozenset[DisclosedField],
) -> DeliveryBrief:
    """What the agency must deliver for these needs and needs to work safely, with only the fields its catalogue
    entry allows."""
    categories = {need.category for need in needs}
    safety = case.safety
    delivered = [
        c.terms
        for c in conditions
        if c.in_force
        and c.terms is not None
        and c.terms.reported_by == ConditionReporter.AGENCY
        and c.terms.addresses_need in categories
    ]
    return DeliveryBrief(
        disposal_type=case.person.disposal if DisclosedField.DISPOSAL_TYPE in allowed else None,
        complete_by=case.complete_by if DisclosedField.COMPLETE_BY in allowed else None,
        conditions=tuple(
            ConditionToDeliver(
                condition_id=c.condition_id,
                kind=c.kind,
                description=c.description,
                evidence=c.evidence,
                hours=c.hours,
                amount_pence=c.amount_pence,
                complete_by=c.complete_by or case.complete_by,
            )
            for c in delivered
        )
        if DisclosedField.CONDITIONS in allowed
        else (),
        dash_risk=case.person.dash_risk if DisclosedField.DASH_RISK in allowed else None,
        needs=tuple(AssessedNeed(category=n.category, severity=n.severity) for n in needs)
        if DisclosedField.NEEDS in allowed
        else (),
        risk_of_harm=safety.risk_of_harm if DisclosedField.RISK_OF_HARM in allowed else None,
        safeguarding_flags=safety.safeguarding_flags if DisclosedField.SAFEGUARDING_FLAGS in allowed else (),
        officer=safety.officer if DisclosedField.OFFICER in allowed else None,
    )


def minimised(personal: dict | None, allowed: frozenset[DisclosedField], *, consented: bool = True) -> dict | None:
    """The person's details the agency may have: the ones its catalogue entry lists — and none at all for an
    onward referral the person did not agree to (`consented`)."""
    if personal is None or not consented:
        return None
    kept = {name: value for name, value in personal.items() if name in {f.value for f in allowed}}
    return kept or None
