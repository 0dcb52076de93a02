"""Matching a person's assessed needs to partner agencies: eligible, consolidated, explained.

1. Every agency is judged against every need by the hard constraints of `suitability`. Needs no
   agency may take are *unplaced*, grouped by why: `no_capacity` when some agency was stopped
   by nothing but being full (a place may free up), `all_agencies_declined` when every agency
   otherwise able to take it declined or let its service level pass, else `no_eligible_agency`.
2. Consolidation: the fewest agencies that together cover every need someone can take, because
   each referral is another relationship the person must keep up within the disposal's weeks.
   Among equally few, the highest total score (`suitability` documents the weights); among
   equal totals, the first list of agency ids in sorted order. Within a set, each need goes to
   the member scoring highest for it alone (ties: lower id). The search tries every set,
   smallest first, skipping by a bit test those that cannot cover: at most 2^15 sets for a
   catalogue of 15, and usually the first size covers.
3. Youth cases: the youth offending team is always one of the set when it is eligible for any
   need, and takes every need it is eligible for. A youth case with no need to place still goes
   to the team (`youth_team_referral`): it assesses the child's needs itself, as the force's
   policy requires.
4. One `Placement` per chosen agency (in id order), bundling its needs; its score is the mean
   of its needs' scores in the one delivery mode chosen for the bundle. It explains that score
   and every other agency that serves one of those needs; an agency at or over capacity whose
   policy is to queue is chosen all the same, and the placement is `queued`.

Same input, same output: agencies are taken in id order, needs in the order given (the first
of each category), sets in lexicographic order, and no set or dict order decides anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import combinations
from operator import or_
from types import MappingProxyType

from schemas.vocabulary import DeliveryMode, NeedCategory, UnmatchedReason
from services.referral_router.domain import explanation
from services.referral_router.domain.catalogue import Agency, Catalogue
from services.referral_router.domain.judge import Judge
from services.referral_router.domain.suitability import FACE_TO_FACE, Gate, Need, Person, person_refusals

__all__ = ["CandidateNote", "MatchResult", "Need", "Person", "Placement", "Unplaced", "match", "youth_team_referral"]
YOUTH_TEAM_EXPLANATION = (
    "Youth case: referred to the youth offending team as the force's policy requires for every child diverted; "
    "the team assesses the child's needs itself."
)

_NOTHING_EXCLUDED: Mapping[NeedCategory, frozenset[str]] = MappingProxyType({})


@dataclass(frozen=True)
class CandidateNote:
    agency_id: str
    eligible: bool
    score: float | None
    reason: str


@dataclass(frozen=True)
class Placement:
    agency_id: str
    needs: tuple[Need, ...]
    delivery_mode: DeliveryMode
    score: float
    explanation: str
    candidates: tuple[CandidateNote, ...]
    queued: bool


@dataclass(frozen=True)
class Unplaced:
    needs: tuple[Need, ...]
    reason: UnmatchedReason
    explanation: str


@dataclass(frozen=True)
class MatchResult:
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]


def match(
    person: Person,
    needs: Sequence[Need],
    catalogue: Catalogue,
    load: Mapping[str, int],
    excluded: Mapping[NeedCategory, frozenset[str]] = _NOTHING_EXCLUDED,
) -> MatchResult:
    """Place `needs` with agencies; `load` is active referrals per agency, `excluded` who declined what."""
    wanted = _first_of_each_category(needs)
    judge = Judge(person, catalogue.agencies, load, excluded)
    placeable = tuple(need for need in wanted if any(judge.eligible(agency, need) for agency in judge.agencies))
    chosen = _consolidate(judge, placeable)
    return MatchResult(
        placements=tuple(_placement(judge, agency, bundle, len(chosen)) for agency, bundle in chosen),
        unplaced=_unplaced(judge, tuple(need for need in wanted if need not in placeable)),
    )


def youth_team_referral(person: Person, catalogue: Catalogue, load: Mapping[str, int]) -> Placement | None:
    """The statutory referral of a youth case to the youth offending team, with no need of its own (the
    first team, by id, that accepts the child); None when the catalogue has no such team for them."""
    teams = sorted((a for a in catalogue.agencies if a.youth_offending_team), key=lambda agency: agency.id)
    for team in teams:
        if person_refusals(team, person):
            continue
        mode = FACE_TO_FACE if FACE_TO_FACE in team.delivery_modes else sorted(team.delivery_modes)[0]
        queued = load.get(team.id, 0) >= team.capacity
        return Placement(team.id, (), mode, 0.0, YOUTH_TEAM_EXPLANATION, (), queued)
    return None


def _first_of_each_category(needs: Sequence[Need]) -> tuple[Need, ...]:
    firsts: dict[NeedCategory, Need] = {}
    for need in needs:
        firsts.setdefault(need.category, need)
    return tuple(firsts.values())


_Bundles = tuple[tuple[Agency, tuple[Need, ...]], ...]


def _consolidate(judge: Judge, needs: tuple[Need, ...]) -> _Bundles:
    """The best of the smallest sets of agencies that together cover every one of `needs`."""
    covers = {agency.id: _coverage(judge, agency, needs) for agency in judge.agencies}
    everything = (1 << len(needs)) - 1
    pool = [agency for agency in judge.agencies if covers[agency.id]]
    needs_youth_team = judge.person.youth_offending_team and any(agency.youth_offending_team for agency in pool)
    for size in range(1, len(pool) + 1):
        best: _Bundles = ()
        best_total = -1.0
        for members in combinations(pool, size):
            if reduce(or_, (covers[agency.id] for agency in members)) != everything:
                continue
            if needs_youth_team and not any(agency.youth_offending_team for agency in members):
                continue
            bundles = _assign(judge, needs, members)
            total = round(sum(judge.score(agency, bundle).total * len(bundle) for agency, bundle in bundles), 2)
            if total > best_total:
                best, best_total = bundles, total
        if best:
            return best
    return ()


def _coverage(judge: Judge, agency: Agency, needs: tuple[Need, ...]) -> int:
    """The needs `agency` may take, as bits: bit i set means it may take needs[i]."""
    return sum(1 << index for index, need in enumerate(needs) if judge.eligible(agency, need))


def _assign(judge: Judge, needs: tuple[Need, ...], members: tuple[Agency, ...]) -> _Bundles:
    """Each need to the member scoring highest for it alone (the first, so the lowest id, on a tie)."""
    taken: dict[str, list[Need]] = {}
    for need in needs:
        able = [agency for agency in members if judge.eligible(agency, need)]
        if judge.person.youth_offending_team:
            able = [agency for agency in able if agency.youth_offending_team] or able
        best = max(able, key=lambda agency: judge.score(agency, (need,)).total)
        taken.setdefault(best.id, []).append(need)
    return tuple((agency, tuple(taken[agency.id])) for agency in members if agency.id in taken)


def _placement(judge: Judge, agency: Agency, bundle: tuple[Need, ...], referrals: int) -> Placement:
    score = judge.score(agency, bundle)
    youth_rule = judge.person.youth_offending_team and agency.youth_offending_team
    queued = judge.load(agency) >= agency.capacity
    notes = tuple(
        CandidateNote(agency.id, True, score.total, explanation.chosen_reason(bundle, score))
        if candidate.id == agency.id
        else _note(judge, candidate, agency, bundle, youth_rule)
        for candidate in judge.serving(bundle)
    )
    return Placement(
        agency_id=agency.id,
        needs=bundle,
        delivery_mode=score.mode,
        score=score.total,
        explanation=explanation.placement_explanation(
            agency=agency,
            bundle=bundle,
            score=score,
            load=judge.load(agency),
            queued=queued,
            youth_rule=youth_rule,
            referrals=referrals,
            passed_over=[(note.agency_id, note.reason) for note in notes if note.agency_id != agency.id],
        ),
        candidates=notes,
        queued=queued,
    )


def _note(judge: Judge, candidate: Agency, chosen: Agency, bundle: tuple[Need, ...], youth_rule: bool) -> CandidateNote:
    able = tuple(need for need in bundle if judge.eligible(candidate, need))
    if not able:
        return CandidateNote(candidate.id, False, None, explanation.refused_reason(judge.refusals(candidate, bundle)))
    own, theirs = judge.score(candidate, able).total, judge.score(chosen, able).total
    reason = explanation.passed_over_reason(
        chosen_id=chosen.id,
        able=able,
        bundle=bundle,
        own=own,
        theirs=theirs,
        youth_rule=youth_rule and not candidate.youth_offending_team,
    )
    return CandidateNote(candidate.id, True, own, reason)


def _unplaced(judge: Judge, needs: tuple[Need, ...]) -> tuple[Unplaced, ...]:
    grouped: dict[UnmatchedReason, list[Need]] = {}
    for need in needs:
        grouped.setdefault(_why_unplaced(judge, need), []).append(need)
    return tuple(
        Unplaced(
            needs=tuple(grouped[reason]),
            reason=reason,
            explanation=explanation.unplaced_explanation(
                reason,
                grouped[reason],
                [
                    (agency.id, explanation.refused_reason(judge.refusals(agency, grouped[reason])))
                    for agency in judge.serving(grouped[reason])
                ],
            ),
        )
        for reason in UnmatchedReason
        if reason in grouped
    )


def _why_unplaced(judge: Judge, need: Need) -> UnmatchedReason:
    stopping = [{refusal.gate for refusal in judge.refusals(agency, (need,))} for agency in judge.serving((need,))]
    blocked = [gates for gates in stopping if gates <= {Gate.CAPACITY, Gate.DECLINED}]
    if {Gate.CAPACITY} in blocked:
        return UnmatchedReason.NO_CAPACITY
    if blocked:
        return UnmatchedReason.ALL_AGENCIES_DECLINED
    return UnmatchedReason.NO_ELIGIBLE_AGENCY
