"""A consumer that keeps retrying without committing says so (issue 22): an ERROR every minute while it lasts,
and how long in `diversion_consumer_stalled_seconds`; a commit ends it."""

from __future__ import annotations

import logging

from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.subscriptions import StallWatch


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stalled_seconds(metrics: ServiceMetrics) -> float:
    return metrics.registry.get_sample_value(
        "diversion_consumer_stalled_seconds", {"service": "intake", "group": "intake"}
    )


def test_a_minute_of_retries_is_an_error_and_a_figure_and_a_commit_ends_it(caplog):
    metrics, clock = ServiceMetrics("intake"), Clock()
    watch = StallWatch("intake", metrics, alert_after_seconds=60, clock=clock)
    caplog.set_level(logging.ERROR, logger="platform_plumbing.subscriptions")

    for _ in range(60):
        watch.failed(ConnectionRefusedError())
        clock.now += 1
    assert not caplog.records, "less than a minute: retried quietly"
    assert stalled_seconds(metrics) == 59

    watch.failed(ConnectionRefusedError())
    assert [r.getMessage()[:55] for r in caplog.records] == ["consumer group intake has retried its batch for 60 s wi"]
    clock.now += 30
    watch.failed(ConnectionRefusedError())
    assert len(caplog.records) == 1, "then once a minute, not at every retry"
    clock.now += 30
    watch.failed(ConnectionRefusedError())
    assert len(caplog.records) == 2 and "120 s" in caplog.records[1].getMessage()
    assert (
        metrics.registry.get_sample_value("diversion_batch_retries_total", {"service": "intake", "group": "intake"})
        == 63
    )

    watch.committed()
    assert stalled_seconds(metrics) == 0
    clock.now += 600
    watch.failed(ConnectionRefusedError())
    assert len(caplog.records) == 2 and stalled_seconds(metrics) == 0, "a new stall starts its own minute"
