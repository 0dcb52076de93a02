"""Kafka clients configured the one way this platform allows: TLS, SASL/SCRAM, idempotent, never auto-commit.

Every connection is TLS (the broker's certificate checked against `KAFKA_CA_FILE`, host name included)
and authenticated as one SCRAM-SHA-512 principal, whose ACLs say what it may read and write. There is
no plaintext or anonymous mode to fall back to.

Every producer is idempotent with `acks=all`, so a retry after a lost acknowledgement never
writes a record twice and a record counts as written only once every in-sync replica has it.
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.helpers import create_ssl_context
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.security import SASLScram512

from platform_plumbing.kafka_records import tolerate_unreadable_header_names
from platform_plumbing.metrics import ServiceMetrics

tolerate_unreadable_header_names()  # no record with a header name that is not UTF-8 can stall a consumer of ours

PRODUCER_OPTIONS = {"enable_idempotence": True, "acks": "all", "linger_ms": 5}
SASL_MECHANISM = "SCRAM-SHA-512"
METADATA_MAX_AGE_MS = 30_000
"""How soon a consumer subscribed by pattern sees a new force's or agency's topic."""


@dataclass(frozen=True)
class KafkaAccess:
    """Where the brokers are and who we are to them: what every Kafka client of ours is made from."""

    bootstrap_servers: str
    username: str
    password: str = field(repr=False)
    ca_file: str

    @property
    def servers(self) -> list[str]:
        """The brokers as a list: a comma-separated string would be taken for one host name."""
        return [server.strip() for server in self.bootstrap_servers.split(",") if server.strip()]

    def as_principal(self, username: str, password: str) -> KafkaAccess:
        """The same brokers, as another principal."""
        return replace(self, username=username, password=password)

    def environment(self, prefix: str = "") -> dict[str, str]:
        """The settings a process of ours reads to be this principal; `prefix` (`OPERATIONS_`, …) names the
        login as a service's own settings do, which win over the plain names."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "KAFKA_CA_FILE": self.ca_file,
            f"{prefix}KAFKA_USERNAME": self.username,
            f"{prefix}KAFKA_PASSWORD": self.password,
        }

    def ssl_context(self) -> ssl.SSLContext:
        return _ssl_context(self.ca_file)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client."""
        return {
            "bootstrap_servers": self.servers,
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": SASL_MECHANISM,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
            "ssl_context": self.ssl_context(),
        }

    def librdkafka_config(self) -> dict[str, str]:
        """The same for librdkafka (confluent-kafka's admin client, and kcat's `-X` options)."""
        return {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": SASL_MECHANISM,
            "sasl.username": self.username,
            "sasl.password": self.password,
            "ssl.ca.location": self.ca_file,
        }


@dataclass(frozen=True)
class KafkaLogins:
    """Every principal's password, and the administrator's access: how a deployment tool, a test session, a
    benchmark or a chaos run reaches Kafka as each part of the platform."""

    admin: KafkaAccess
    passwords: Mapping[str, str] = field(repr=False)

    def of(self, principal: str) -> KafkaAccess:
        return self.admin.as_principal(principal, self.passwords[principal])

    def environment(self, principal: str, prefix: str = "") -> dict[str, str]:
        """The settings a process of ours reads to be `principal` (see `KafkaAccess.environment`)."""
        return self.of(principal).environment(prefix)


def _ssl_context(ca_file: str) -> ssl.SSLContext:
    """Verify the brokers against `ca_file` — or, where there is no such file (a broker with a publicly
    trusted certificate, or an app built only to describe itself), against the system's trust store.

    Only a context built from the file is cached, by its modification time: a process that asked before the
    stack made its CA (a test session importing the apps), or before `make clean` made a new one, must
    not keep trusting the wrong thing."""
    path = Path(ca_file)
    return _trusting(ca_file, path.stat().st_mtime_ns) if path.is_file() else ssl.create_default_context()


@functools.lru_cache(maxsize=8)
def _trusting(ca_file: str, modified_ns: int) -> ssl.SSLContext:
    return create_ssl_context(cafile=ca_file)


def producer_for(kafka: KafkaAccess, **options: Any) -> AIOKafkaProducer:
    """A producer configured the platform's way."""
    return AIOKafkaProducer(**kafka.client_options(), **{**PRODUCER_OPTIONS, **options})


def consumer_for(kafka: KafkaAccess, *topics: str, **options: Any) -> AIOKafkaConsumer:
    """A consumer that never commits on its own (tools read without a group; services commit after the
    database does)."""
    return AIOKafkaConsumer(*topics, **kafka.client_options(), **{"enable_auto_commit": False, **options})


def admin_for(kafka: KafkaAccess, **options: Any) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(**kafka.client_options(), **options)


def create_producer(kafka: KafkaAccess, *, client_id: str) -> AIOKafkaProducer:
    """The outbox relay's producer. The relay hands it a whole batch of rows at once, so the records are
    batched already: lingering would only add latency."""
    return producer_for(kafka, client_id=client_id, request_timeout_ms=30_000, max_batch_size=256 * 1024, linger_ms=0)


def create_broker(kafka: KafkaAccess, *, client_id: str, metrics: ServiceMetrics | None = None) -> KafkaBroker:
    """The FastStream broker a service subscribes with (its own producer is configured the same way).

    Its log records go through the service's JSON logging; the per-message access lines are DEBUG,
    since at a thousand messages a second they would drown everything else.
    """
    return KafkaBroker(
        kafka.servers,
        security=SASLScram512(kafka.username, kafka.password, ssl_context=kafka.ssl_context()),
        client_id=client_id,
        allow_auto_create_topics=False,
        metadata_max_age_ms=METADATA_MAX_AGE_MS,
        logger=logging.getLogger(f"faststream.{client_id}"),
        log_level=logging.DEBUG,
        middlewares=[KafkaPrometheusMiddleware(registry=metrics.registry)] if metrics else [],
        **PRODUCER_OPTIONS,
    )
