"""The topic catalogue: every Kafka topic the platform uses, who writes it and who reads it.

Topics are created from this catalogue by code (`platform_plumbing.topic_admin`); the broker's
auto-create is off, so a topic that is not here does not exist. Every topic is keyed by
`case_id`, so one case's events stay in order on one partition.

Who writes and reads a topic is what the broker's ACLs grant (`platform_plumbing.kafka_acls`), so
identity comes from the authenticated principal, never from a payload. That is why what a police
force or a partner agency sends or receives has a topic per force or per agency (`per`): only
force F's principal may write `diversion.decisions.F.v1`, only agency A's may read
`diversion.agency-referrals.A.v1`; the services read every party's topic by pattern and check that
a payload names the party whose topic it came on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

DAY_MS = 24 * 60 * 60 * 1000
NAMESPACE = "diversion."
"""What every topic of the platform is named under (after a deployment's or test's prefix)."""
PARTY = "{party}"
PARTY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
"""A force or agency id as it may appear in a topic name (and a principal's name)."""

Principal = Literal["intake", "referral-router", "compliance", "operations", "police", "victim_contact", "agency"]
"""Who a topic's producers and consumers are: a service, the operations team, each police force's systems, each
force's victim-contact role, each partner agency."""


@dataclass(frozen=True)
class Directory:
    """The parties the platform serves: police forces and partner agencies (by id)."""

    forces: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for party in (*self.forces, *self.agencies):
            if not PARTY_ID.match(party):
                raise ValueError(f"not a valid force or agency id: {party!r}")

    def parties(self, per: str) -> tuple[str, ...]:
        return self.forces if per == "force" else self.agencies


@dataclass(frozen=True)
class Topic:
    name: str
    """The topic's name; for a topic per party, with `{party}` where the force or agency id goes."""
    description: str
    producers: tuple[Principal, ...]
    consumers: tuple[Principal, ...]
    carries: tuple[str, ...]
    """CloudEvents types published on this topic (see `schemas.registry`)."""
    per: Literal["force", "agency"] | None = None
    """One topic per police force or per partner agency, which only that party may write (or read)."""
    copies: bool = False
    """Its events' home is another topic; these are copies for one party (never `topic_carrying`'s answer)."""
    partitions: int = 6
    replication_factor: int = 3
    retention_ms: int = 30 * DAY_MS
    cleanup_policy: str = "delete"
    key: str = "case_id"
    extra_config: dict[str, str] = field(default_factory=dict)

    def named(self, party: str) -> str:
        """The topic of one force or agency."""
        if self.per is None:
            raise ValueError(f"{self.name} is one topic for everyone")
        if not PARTY_ID.match(party):
            raise ValueError(f"not a valid {self.per} id: {party!r}")
        return self.name.replace(PARTY, party)

    @property
    def stem(self) -> str:
        """What every party's topic name starts with (the whole name for a topic for everyone)."""
        return self.name.split(PARTY)[0]

    def names(self, directory: Directory) -> tuple[str, ...]:
        """The concrete topic names for `directory`'s parties (the name itself for a topic for everyone)."""
        return (self.name,) if self.per is None else tuple(self.named(p) for p in directory.parties(self.per))

    def pattern(self) -> str:
        """A regular expression matching this topic, or every party's topic of this kind."""
        if self.per is None:
            return re.escape(self.name)
        return re.escape(self.stem) + "[a-z0-9][a-z0-9-]*" + re.escape(self._tail)

    def party_of(self, topic: str, prefix: str = "") -> str | None:
        """The force or agency whose topic `topic` (under `prefix`) is; None if it is not one of this kind."""
        if self.per is None or not re.fullmatch(re.escape(prefix) + self.pattern(), topic):
            return None
        return topic[len(prefix) + len(self.stem) : len(topic) - len(self._tail)]

    @property
    def _tail(self) -> str:
        return self.name.split(PARTY)[1] if self.per else ""

    def config(self, *, min_insync_replicas: int) -> dict[str, str]:
        """Topic-level configuration as the broker wants it."""
        return {
            "retention.ms": str(self.retention_ms),
            "cleanup.policy": self.cleanup_policy,
            "min.insync.replicas": str(min_insync_replicas),
            **self.extra_config,
        }


def _types(*names: str) -> tuple[str, ...]:
    return tuple(f"uk.police.diversion.{name}.v1" for name in names)


DECISIONS = Topic(
    name="diversion.decisions.{party}.v1",
    description="Police commands from systems that use Kafka, one topic per force that only the force may "
    "write: decisions, assessments, withdrawals, condition reports and decisions after a breach.",
    producers=("police",),
    consumers=("intake", "operations"),
    carries=_types("decision.submit", "assessment.submit", "case.withdraw", "condition.report", "breach.decide"),
    per="force",
    retention_ms=14 * DAY_MS,
)
CASES = Topic(
    name="diversion.cases.v1",
    description="What intake records: cases opened or rejected, needs assessed, and the police's decisions "
    "on a case (withdrawal, deadline extension, condition progress, decision after a breach).",
    producers=("intake",),
    consumers=("referral-router", "compliance", "operations"),
    carries=_types(
        "case.opened",
        "case.rejected",
        "case.withdrawn",
        "needs.assessed",
        "deadline.extended",
        "condition.reported",
        "breach.decided",
    ),
    retention_ms=90 * DAY_MS,
)
REFERRALS = Topic(
    name="diversion.referrals.v1",
    description="Where the router placed needs: referrals issued, queued for a full agency, unmatched, recalled.",
    producers=("referral-router",),
    consumers=("compliance", "operations"),
    carries=_types("referral.issued", "referral.queued", "referral.unmatched", "referral.recalled"),
    retention_ms=90 * DAY_MS,
)
AGENCY_UPDATES = Topic(
    name="diversion.agency-updates.{party}.v1",
    description="What a partner agency reports about its referrals, straight to Kafka: one topic per agency that "
    "only the agency may write (the gateway takes the same updates over HTTP).",
    producers=("agency",),
    consumers=("compliance", "operations"),
    carries=_types(
        "referral.accept",
        "referral.decline",
        "appointment.schedule",
        "appointment.attend",
        "appointment.miss",
        "intervention.complete",
        "referral.disengage",
        "referral.withdraw",
        "caseworker.assign",
        "contact.record",
        "programme-assessment.submit",
        "action-plan.submit",
        "session.record",
        "end-of-service-report.submit",
        "case-note.write",
        "concern.raise",
    ),
    per="agency",
    partitions=3,
    retention_ms=90 * DAY_MS,
)
AGENCY_REFERRALS = Topic(
    name="diversion.agency-referrals.{party}.v1",
    description="Every change to a partner agency's referrals (issued to it, cancelled, …) and each step of its work "
    "recorded on them (its action plan approved or returned, a reminder to the person that failed, …), one topic per "
    "agency that only the agency may read. Contact details are never on it: the agency reads them over the gateway.",
    producers=("compliance",),
    consumers=("agency", "operations"),
    carries=_types("referral.changed", "referral.work.recorded"),
    per="agency",
    copies=True,
    partitions=3,
    retention_ms=90 * DAY_MS,
)
COMPLIANCE = Topic(
    name="diversion.compliance.v1",
    description="Every change compliance decides to a referral, a condition and a case, and what it records of the "
    "agencies' work (a programme's needs assessment, each step of the work, safeguarding concerns): what the other "
    "services follow. Police systems read their own force's outcomes on `diversion.outcomes.{force}.v1` and its "
    "concerns on `diversion.concerns.{force}.v1`.",
    producers=("compliance",),
    consumers=("operations", "referral-router", "intake"),
    carries=_types(
        "referral.changed",
        "condition.changed",
        "case.changed",
        "needs.found",
        "referral.work.recorded",
        "concern.recorded",
        "concern.acknowledged",
    ),
    retention_ms=365 * DAY_MS,
)
OUTCOMES = Topic(
    name="diversion.outcomes.{party}.v1",
    description="Every change to one force's cases and their conditions (completed, breached and awaiting the "
    "police's decision, …): the outcomes its systems act on, one topic per force that only the force may read.",
    producers=("compliance",),
    consumers=("police", "operations"),
    carries=_types("condition.changed", "case.changed"),
    per="force",
    copies=True,
    partitions=3,
    retention_ms=365 * DAY_MS,
)
VICTIM_UPDATES = Topic(
    name="diversion.victim-updates.{party}.v1",
    description="Each change to the outcome of one force's cases that have an identifiable victim, for the "
    "force's victim-contact role to tell the victim (Victims' Code): one topic per force that only that role "
    "may read. Nothing about the person's conditions, needs or agencies.",
    producers=("compliance",),
    consumers=("victim_contact", "operations"),
    carries=_types("case.changed"),
    per="force",
    copies=True,
    partitions=3,
    retention_ms=365 * DAY_MS,
)
CONCERNS = Topic(
    name="diversion.concerns.{party}.v1",
    description="Safeguarding concerns about one force's cases, as agencies raise them, and who took each on: one "
    "topic per force that only the force may read, published at once (the details are read over compliance's API).",
    producers=("compliance",),
    consumers=("police", "operations"),
    carries=_types("concern.recorded", "concern.acknowledged"),
    per="force",
    copies=True,
    partitions=3,
    retention_ms=365 * DAY_MS,
)
POLICE_SIGNALS = Topic(
    name="diversion.police-signals.{party}.v1",
    description="Signals from a force's systems about diverted people, such as naming in a new investigation: "
    "one topic per force that only the force may write.",
    producers=("police",),
    consumers=("compliance", "operations"),
    carries=_types("reoffending.signalled"),
    per="force",
    partitions=3,
    retention_ms=90 * DAY_MS,
)
DEAD_LETTERS = Topic(
    name="diversion.dead-letters.v1",
    description="Messages no service could process, with origin topic/partition/offset and error in headers. "
    "A service reads one of its own again when the operations team asks it to on `diversion.replays.v1`.",
    producers=("intake", "referral-router", "compliance"),
    consumers=("operations", "intake", "referral-router", "compliance"),
    carries=(),
    partitions=3,
    retention_ms=30 * DAY_MS,
)
REPLAYS = Topic(
    name="diversion.replays.v1",
    description="The operations team's requests that a service read one of its dead letters again, by its "
    "coordinates on the dead-letter topic, and apply it as the party that sent it. Only the operations team "
    "may write it, which may write no party's topic; only the services read it.",
    producers=("operations",),
    consumers=("intake", "referral-router", "compliance"),
    carries=_types("dead-letter.replay"),
    partitions=3,
    retention_ms=30 * DAY_MS,
)

CATALOGUE: tuple[Topic, ...] = (
    DECISIONS,
    CASES,
    REFERRALS,
    AGENCY_UPDATES,
    AGENCY_REFERRALS,
    COMPLIANCE,
    OUTCOMES,
    VICTIM_UPDATES,
    CONCERNS,
    POLICE_SIGNALS,
    DEAD_LETTERS,
    REPLAYS,
)


def topic_names(directory: Directory, topics: Iterable[Topic] = CATALOGUE) -> list[str]:
    """Every concrete topic of `topics` for `directory`'s forces and agencies."""
    return [name for topic in topics for name in topic.names(directory)]


def catalogue_topic_of(topic: str, prefix: str = "") -> Topic | None:
    """The catalogue entry a concrete topic name (under `prefix`) belongs to."""
    for entry in CATALOGUE:
        if re.fullmatch(re.escape(prefix) + entry.pattern(), topic):
            return entry
    return None


def topic_carrying(event_type: str) -> Topic:
    """The one topic for everyone that is the home of `event_type` (a party's own topics are named)."""
    try:
        return _TOPIC_BY_TYPE[event_type]
    except KeyError:
        raise LookupError(f"no catalogue topic for everyone carries {event_type!r}") from None


_TOPIC_BY_TYPE = {
    event_type: topic for topic in CATALOGUE if topic.per is None and not topic.copies for event_type in topic.carries
}
