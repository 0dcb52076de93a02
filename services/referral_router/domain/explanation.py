"""The router's choices in words: why an agency was chosen, why each other one was not, why a need waits.

Explanations travel on referral events and are read by agencies, operations officers and
scrutiny panels, so they are bounded as the event contract bounds them (1000 characters for an
explanation, 300 for a candidate's reason) and they name rules and scores, never the person.
When the rejected candidates would not all fit, the explanation names as many as fit and
points to the candidate list, which always has every one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from schemas.vocabulary import UnmatchedReason
from services.referral_router.domain.catalogue import Agency
from services.referral_router.domain.suitability import Gate, Need, Refusal, Score, label

EXPLANATION_LIMIT = 1000
REASON_LIMIT = 300

_UNPLACED_HEADLINES = {
    UnmatchedReason.NO_ELIGIBLE_AGENCY: "No agency in the catalogue can take {needs}.",
    UnmatchedReason.NO_CAPACITY: "No place is free for {needs}: the agencies that could take it are full.",
    UnmatchedReason.ALL_AGENCIES_DECLINED: (
        "Every agency that could take {needs} has declined it or did not answer in time."
    ),
}


def needs_text(needs: Iterable[Need]) -> str:
    return ", ".join(label(need.category) for need in needs)


def refused_reason(refusals: Iterable[Refusal]) -> str:
    """Each distinct reason once, in the order the constraints are checked."""
    reasons = dict.fromkeys(refusal.reason for refusal in refusals if refusal.gate is not Gate.NEED)
    return _bounded("; ".join(reasons) or "not eligible", REASON_LIMIT)


def chosen_reason(bundle: Sequence[Need], score: Score) -> str:
    return _bounded(f"chosen for {needs_text(bundle)}: score {score.total:.1f} ({score.parts()})", REASON_LIMIT)


def passed_over_reason(
    *, chosen_id: str, able: Sequence[Need], bundle: Sequence[Need], own: float, theirs: float, youth_rule: bool
) -> str:
    """Why an agency eligible for some of the bundle did not get it, comparing like with like."""
    if youth_rule:
        text = f"eligible, score {own:.1f}, but in a youth case the youth offending team takes every need it serves"
    elif len(able) < len(bundle):
        text = (
            f"eligible for {needs_text(able)} only, score {own:.1f}; "
            f"{chosen_id} takes all {len(bundle)} needs in one referral"
        )
    elif own < theirs:
        text = f"eligible, scored {own:.1f} against {theirs:.1f} for {chosen_id}"
    elif own == theirs:
        text = f"eligible, tied with {chosen_id} at {own:.1f}; ties go to agency ids in sorted order"
    else:
        text = (
            f"eligible, scored {own:.1f} against {theirs:.1f} for {chosen_id}, but the chosen agencies "
            "together need fewer referrals or score higher overall"
        )
    return _bounded(text, REASON_LIMIT)


def placement_explanation(
    *,
    agency: Agency,
    bundle: Sequence[Need],
    score: Score,
    load: int,
    queued: bool,
    youth_rule: bool,
    referrals: int,
    passed_over: Sequence[tuple[str, str]],
) -> str:
    head = (
        f"{agency.name} ({agency.id}) for {needs_text(bundle)}, delivered {label(score.mode)}. "
        f"Score {score.total:.1f}/100: {score.parts()}; {load}/{agency.capacity} places in use. "
    )
    if queued:
        head += "The agency is full: the referral is queued until a place frees. "
    if youth_rule:
        head += "Youth case: the youth offending team takes every need it serves. "
    head += f"Fewest referrals covering every need that can be placed: {referrals}."
    return _with_list(head, " Not chosen: ", passed_over)


def unplaced_explanation(reason: UnmatchedReason, needs: Sequence[Need], refused: Sequence[tuple[str, str]]) -> str:
    head = _UNPLACED_HEADLINES[reason].format(needs=needs_text(needs))
    if not refused:
        head += " No agency in the catalogue serves it."
    return _with_list(head, " Considered: ", refused)


def _with_list(head: str, lead: str, items: Sequence[tuple[str, str]], limit: int = EXPLANATION_LIMIT) -> str:
    """`head`, then as many `id (reason)` items as fit within `limit`, then how many were left out."""
    entries = [f"{agency_id} ({reason})" for agency_id, reason in items]
    for shown in range(len(entries), -1, -1):
        left_out = len(entries) - shown
        tail = f"{'; ' if shown else ''}and {left_out} more, listed with the candidates" if left_out else ""
        text = head + (f"{lead}{'; '.join(entries[:shown])}{tail}." if entries else "")
        if len(text) <= limit:
            return text
    return _bounded(head, limit)


def hand_placement_explanation(
    *, agency: Agency, by: str, reason: str, waived: Sequence[str], load: int, queued: bool
) -> str:
    """Who placed the needs by hand and why, the constraints they set aside, and whether the referral waits."""
    text = f"Placed by hand with {agency.name} by {by}: {reason.strip().rstrip('.')}"
    if waived:
        text += f" (set aside: {'; '.join(waived)})"
    if queued:
        text += f". Queued: {load}/{agency.capacity} places in use; issued when one is free"
    return _bounded(text + ".", EXPLANATION_LIMIT)


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
