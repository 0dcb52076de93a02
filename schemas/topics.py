"""The topic catalogue: every Kafka topic the platform uses, who writes it and who reads it.

Topics are created from this catalogue by code (`platform_plumbing.topic_admin`); the broker's
auto-create is off, so a topic that is not here does not exist. Every topic is keyed by
`case_id`, so one case's events stay in order on one partition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    carries: tuple[str, ...]
    """CloudEvents types published on this topic (see `schemas.registry`)."""
    partitions: int = 6
    replication_factor: int = 3
    retention_ms: int = 30 * DAY_MS
    cleanup_policy: str = "delete"
    key: str = "case_id"
    extra_config: dict[str, str] = field(default_factory=dict)

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
    name="diversion.decisions.v1",
    description="Police commands from systems that use Kafka: decisions, assessments, withdrawals, condition "
    "reports and decisions after a breach.",
    producers=("police systems",),
    consumers=("intake",),
    carries=_types("decision.submit", "assessment.submit", "case.withdraw", "condition.report", "breach.decide"),
    retention_ms=14 * DAY_MS,
)
CASES = Topic(
    name="diversion.cases.v1",
    description="What intake records: cases opened or rejected, needs assessed, and the police's decisions "
    "on a case (withdrawal, deadline extension, condition progress, decision after a breach).",
    producers=("intake",),
    consumers=("referral_router", "compliance"),
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
    producers=("referral_router",),
    consumers=("compliance",),
    carries=_types("referral.issued", "referral.queued", "referral.unmatched", "referral.recalled"),
    retention_ms=90 * DAY_MS,
)
AGENCY_UPDATES = Topic(
    name="diversion.agency-updates.v1",
    description="What partner agencies report about their referrals, straight to Kafka (the gateway takes "
    "the same updates over HTTP).",
    producers=("partner agencies",),
    consumers=("compliance",),
    carries=_types(
        "referral.accept",
        "referral.decline",
        "appointment.schedule",
        "appointment.attend",
        "appointment.miss",
        "intervention.complete",
        "referral.disengage",
        "referral.withdraw",
    ),
    retention_ms=90 * DAY_MS,
)
COMPLIANCE = Topic(
    name="diversion.compliance.v1",
    description="Every change compliance decides to a referral, a condition and a case: the outcomes police "
    "systems act on, and what the other services follow.",
    producers=("compliance",),
    consumers=("police systems", "operations", "referral_router", "intake"),
    carries=_types("referral.changed", "condition.changed", "case.changed"),
    retention_ms=365 * DAY_MS,
)
POLICE_SIGNALS = Topic(
    name="diversion.police-signals.v1",
    description="Signals from police systems about diverted people, such as naming in a new investigation.",
    producers=("police systems",),
    consumers=("compliance",),
    carries=_types("reoffending.signalled"),
    retention_ms=90 * DAY_MS,
)
DEAD_LETTERS = Topic(
    name="diversion.dead-letters.v1",
    description="Messages no service could process, with origin topic/partition/offset and error in headers.",
    producers=("intake", "referral_router", "compliance"),
    consumers=("operations",),
    carries=(),
    partitions=3,
    retention_ms=30 * DAY_MS,
)

CATALOGUE: tuple[Topic, ...] = (DECISIONS, CASES, REFERRALS, AGENCY_UPDATES, COMPLIANCE, POLICE_SIGNALS, DEAD_LETTERS)


def topic_carrying(event_type: str) -> Topic:
    """The one catalogue topic that carries `event_type`."""
    try:
        return _TOPIC_BY_TYPE[event_type]
    except KeyError:
        raise LookupError(f"no catalogue topic carries {event_type!r}") from None


_TOPIC_BY_TYPE = {event_type: topic for topic in CATALOGUE for event_type in topic.carries}
