"""Did the platform lose or double anything? Compares what was sent with what was published.

Kafka delivers at least once, so one event may be seen several times under the same CloudEvents
id; that is a redelivery, counted but allowed. A duplicate is two *different* events for one
fact: two cases opened for one police reference, two referrals for one case's need, two outcomes
for one case. A loss is a fact that never appeared. And the books must balance: every service holds, for every case,
condition and referral, what compliance (their owner) holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.operations.books import Books


@dataclass
class Published:
    """What the watcher saw on the platform's topics, by CloudEvents id."""

    cases: dict[str, set[str]] = field(default_factory=dict)  # police reference -> case ids
    referrals: dict[str, set[str]] = field(default_factory=dict)  # case id -> referral ids
    outcomes: dict[str, set[str]] = field(default_factory=dict)  # case id -> outcome event ids
    dead_letters: dict[tuple[str, int, int], tuple[str, str]] = field(default_factory=dict)
    """(origin topic, partition, offset) -> (error class, reason)."""
    redeliveries: int = 0
    """Events seen again under an id already seen."""


@dataclass(frozen=True)
class FaultReport:
    fault: str
    recovered_after_s: float | None
    """From the kill until every partition that had work at that moment moved again; None: it stalled."""
    backlog: int = 0
    """Records waiting at the kill: the killed service's, or the whole platform's."""


@dataclass
class Verdict:
    figures: dict[str, object]
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def judge(
    *,
    references: set[str],
    published: Published,
    poisons: dict[tuple[str, int, int], str],
    faults: list[FaultReport],
    lagging_partitions: list[str],
    books: Books,
) -> Verdict:
    """`references`: every decision sent (all acceptable); `poisons`: position -> kind of each poison."""
    opened = {ref: ids for ref, ids in published.cases.items() if ref in references}
    case_ids = {case for ids in opened.values() for case in ids}
    never_opened = references - opened.keys()
    opened_twice = [ref for ref, ids in opened.items() if len(ids) > 1]
    without_referral = [c for c in case_ids if not published.referrals.get(c)]
    referred_twice = [c for c in case_ids if len(published.referrals.get(c, ())) > 1]
    without_outcome = [c for c in case_ids if not published.outcomes.get(c)]
    two_outcomes = [c for c in case_ids if len(published.outcomes.get(c, ())) > 1]
    undead_poison = sorted(set(poisons) - published.dead_letters.keys())
    reasonless = [p for p in poisons if p in published.dead_letters and not all(published.dead_letters[p])]
    unexpected_dead = sorted(published.dead_letters.keys() - set(poisons))
    stalled = [f.fault for f in faults if f.recovered_after_s is None]

    failures = []
    for what, items in (
        ("decisions that never opened a case", never_opened),
        ("police references with more than one case", opened_twice),
        ("cases without a referral (lost)", without_referral),
        ("cases with more than one referral (duplicated)", referred_twice),
        ("cases without an outcome (lost)", without_outcome),
        ("cases with more than one outcome (duplicated)", two_outcomes),
        ("poison records not dead-lettered", undead_poison),
        ("dead letters without a reason", reasonless),
        ("records dead-lettered that were not poison", unexpected_dead),
        ("faults after which a partition stalled", stalled),
        ("partitions with lag at the end", lagging_partitions),
    ):
        if items:
            failures.append(f"{len(items)} {what}, e.g. {sorted(map(str, items))[:3]}")
    for kind, examples in books.disagreements.items():
        failures.append(f"{books.counts[kind]} {kind}, e.g. {examples[:3]}")
    figures = {
        "cases_in": len(references),
        "cases_opened": len(case_ids),
        "referrals": sum(len(published.referrals.get(c, ())) for c in case_ids),
        "outcomes_out": sum(len(published.outcomes.get(c, ())) for c in case_ids),
        "lost": len(never_opened) + len(without_referral) + len(without_outcome),
        "duplicated": len(opened_twice) + len(referred_twice) + len(two_outcomes),
        "redeliveries_seen": published.redeliveries,
        "poison_in": len(poisons),
        "dead_letters": len(published.dead_letters),
        "recovery_s": {f.fault: f.recovered_after_s for f in faults},
        "backlog_at_kill": {f.fault: f.backlog for f in faults},
        "partitions_lagging_at_end": len(lagging_partitions),
        "books": books.totals,
        "books_disagreements": books.disagreement_count,
    }
    return Verdict(figures, failures)
