"""The seeded plan of a chaos run: pure data, so a failing seed can be replayed exactly."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

RESEND_SHARE = 0.10
"""One message in ten is delivered again, at a random later point (so out of order as well)."""
REORDER_WINDOW = 16
"""Police decisions leave in shuffled windows of this many."""
REVERSED_SHARE = 0.05
"""Share of referrals whose agency reports its caseworker and first contact before its acceptance."""


@dataclass(frozen=True)
class Fault:
    kind: str  # "broker", "service" or "postgres"
    target: str  # the broker's node id, the service's name and replica ("router#1"), or "postgres"
    down_seconds: float  # how long the part stays dead before it is restarted

    @property
    def name(self) -> str:
        return "postgres restart" if self.kind == "postgres" else f"{self.kind} {self.target}"


@dataclass(frozen=True)
class Poison:
    """A record no consumer can process; it must end up on the dead-letter topic with its reason."""

    sender: str  # "police" (on its force's decisions topic) or "agency" (on its own updates topic)
    kind: str
    at_share: float


@dataclass(frozen=True)
class ChaosPlan:
    """Decisions go out in waves, as fast as they can be sent, one wave per fault and a last one:
    each fault strikes while its wave is being worked through, so every part dies with work in hand."""

    seed: int
    cases: int
    order: tuple[int, ...] = field(repr=False)
    """Indexes of the decisions in sending order, resent ones included."""
    faults: tuple[Fault, ...]
    poisons: tuple[Poison, ...]
    resend_updates: frozenset[int] = field(repr=False)
    """Referral numbers (in order of arrival) whose agency updates are sent twice."""
    reversed_updates: frozenset[int] = field(repr=False)

    @property
    def resent_decisions(self) -> int:
        return len(self.order) - self.cases

    @property
    def waves(self) -> list[tuple[int, ...]]:
        size = -(-len(self.order) // (len(self.faults) + 1))
        return [self.order[start : start + size] for start in range(0, len(self.order), size)]


POISON_KINDS = (
    "invalid_json",
    "unknown_type",
    "missing_field",
    "no_envelope",
    "type_not_utf8",
    "id_of_6000_characters",
    "record_of_300_kb",
    "nested_50000_deep",
    "header_name_not_utf8",
    "number_of_5000_digits",
    "another_types_body",
)


def make_plan(seed: int, cases: int, *, down_seconds: float = 3.0) -> ChaosPlan:
    rng = random.Random(seed)
    order: list[int] = []
    for start in range(0, cases, REORDER_WINDOW):
        window = list(range(start, min(start + REORDER_WINDOW, cases)))
        rng.shuffle(window)
        order.extend(window)
    for index in rng.sample(range(cases), round(cases * RESEND_SHARE)):
        later = rng.randint(order.index(index) + 1, len(order))
        order.insert(later, index)
    faults = (
        Fault("broker", str(rng.randint(1, 3)), down_seconds),
        Fault("service", f"intake#{rng.randint(0, 1)}", down_seconds),
        Fault("service", f"router#{rng.randint(0, 1)}", down_seconds),
        Fault("service", f"compliance#{rng.randint(0, 1)}", down_seconds),
        Fault("postgres", "postgres", down_seconds),
    )
    poisons = tuple(
        Poison(sender, kind, round(rng.uniform(0.05, 0.95), 3))
        for sender in ("police", "agency")
        for kind in POISON_KINDS
    )
    return ChaosPlan(
        seed=seed,
        cases=cases,
        order=tuple(order),
        faults=faults,
        poisons=poisons,
        resend_updates=frozenset(rng.sample(range(cases), round(cases * RESEND_SHARE))),
        reversed_updates=frozenset(rng.sample(range(cases), round(cases * REVERSED_SHARE))),
    )
