"""Kafka clients configured the one way this platform allows: idempotent, `acks=all`, never auto-commit.

Every producer is idempotent with `acks=all`, so a retry after a lost acknowledgement never
writes a record twice and a record counts as written only once every in-sync replica has it.
"""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from platform_plumbing.metrics import ServiceMetrics
from platform_plumbing.settings import PlatformSettings

PRODUCER_OPTIONS = {"enable_idempotence": True, "acks": "all", "linger_ms": 5}


def create_producer(settings: PlatformSettings, *, client_id: str) -> AIOKafkaProducer:
    return producer_for(
        settings.kafka_servers, client_id=client_id, request_timeout_ms=30_000, max_batch_size=256 * 1024
    )


def producer_for(bootstrap: str | list[str], **options) -> AIOKafkaProducer:
    """A producer configured the platform's way, for tools that have a broker address rather than settings."""
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **{**PRODUCER_OPTIONS, **options})


def create_broker(settings: PlatformSettings, *, client_id: str, metrics: ServiceMetrics | None = None) -> KafkaBroker:
    """The FastStream broker a service subscribes with (its own producer is configured the same way).

    Its log records go through the service's JSON logging; the per-message access lines are DEBUG,
    since at a thousand messages a second they would drown everything else.
    """
    return KafkaBroker(
        settings.kafka_servers,
        client_id=client_id,
        allow_auto_create_topics=False,
        logger=logging.getLogger(f"faststream.{client_id}"),
        log_level=logging.DEBUG,
        middlewares=[KafkaPrometheusMiddleware(registry=metrics.registry)] if metrics else [],
        **PRODUCER_OPTIONS,
    )
