"""Prometheus metrics of one service process: FastStream's own consumer metrics plus business counters.

Business counters are counted where they are certain: an event is *published* when Kafka
acknowledged it (the relay), and *consumed* when its batch committed (the transactional
consumer). So `diversion_events_published_total{type="…case.opened.v1"}` is cases opened,
`…referral.issued…` referrals, `…case.changed…` case outcomes, and the dead-letter topic's count is
dead letters — none of them counted for work that was rolled back.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from schemas.registry import MESSAGE_TYPES

OTHER = "other"
"""The label of a type nobody registered: labels stay a bounded set, whatever a record claims to be."""


class ServiceMetrics:
    """One registry per service (tests run several services in one process)."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.published = Counter(
            "diversion_events_published",
            "Records Kafka acknowledged, by topic and CloudEvents type.",
            ["service", "topic", "type"],
            registry=self.registry,
        )
        self.consumed = Counter(
            "diversion_events_consumed",
            "Records whose batch committed: applied, duplicate or dead-lettered.",
            ["service", "outcome"],
            registry=self.registry,
        )
        self.batch_retries = Counter(
            "diversion_batch_retries",
            "Batches that could not be committed and go back to Kafka to be retried, by consumer group.",
            ["service", "group"],
            registry=self.registry,
        )
        self.stalled = Gauge(
            "diversion_consumer_stalled_seconds",
            "How long a consumer group has been retrying without committing a batch (0 while batches commit).",
            ["service", "group"],
            registry=self.registry,
        )
        self.expedited = Counter(
            "diversion_expedited",
            "Records a priority lane read ahead of its consumer group: applied, known already, or left to the group.",
            ["service", "lane", "outcome"],
            registry=self.registry,
        )
        self.service = service

    def record_published(self, topic: str, event_type: bytes | None) -> None:
        """Count one record Kafka acknowledged; its type is labelled only if it is one the platform knows."""
        self.published.labels(self.service, topic, type_label(event_type)).inc()

    def record_consumed(self, *, applied: int, duplicates: int, dead_lettered: int) -> None:
        for outcome, count in (("applied", applied), ("duplicate", duplicates), ("dead_lettered", dead_lettered)):
            if count:
                self.consumed.labels(self.service, outcome).inc(count)


def type_label(raw: bytes | None) -> str:
    """`raw` (a `ce_type` header as sent) when it names a registered message type, else `other`."""
    try:
        name = (raw or b"").decode()
    except UnicodeDecodeError:
        return OTHER
    return name if name in MESSAGE_TYPES else OTHER
