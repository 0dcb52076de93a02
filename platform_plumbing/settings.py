"""Settings every service shares, read from the environment (pydantic-settings).

`make up` prints `KAFKA_BOOTSTRAP_SERVERS`, `KAFKA_CA_FILE` and each service's own logins
(`INTAKE_KAFKA_USERNAME`, `INTAKE_KAFKA_PASSWORD`, `INTAKE_DATABASE_URL`,
`INTAKE_MIGRATION_DATABASE_URL`, …), so a shell that sourced
`.runtime/stack.env` configures every service at once. Service settings subclass this, add a prefix
of their own for what only they need, and read their logins with `database_fields`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from platform_plumbing.kafka_clients import KafkaAccess


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:19092",
        description="Comma-separated host:port list of Kafka brokers (TLS listeners).",
    )
    kafka_username: str = Field("", description="The SCRAM-SHA-512 principal this process is to Kafka.")
    kafka_password: SecretStr = Field(SecretStr(""), description="That principal's password.")
    kafka_ca_file: str = Field(
        str(Path(__file__).resolve().parents[1] / ".runtime" / "tls" / "ca.pem"),
        description="The certificate authority the brokers' certificates are checked against.",
    )
    database_url: str = Field(
        "postgresql://127.0.0.1:15432/diversion",
        description="PostgreSQL URL of the role the service runs as (rights on its own schema's rows only).",
    )
    migration_database_url: str | None = Field(
        None,
        description="PostgreSQL URL of the role that owns the service's schema and migrates it; "
        "unset, the runtime role migrates (a single-role database).",
    )
    database_pool_size: int = Field(10, ge=2, le=100, description="Most connections one process holds.")
    topic_prefix: str = Field(
        "",
        description="Prepended to every catalogue topic name; tests use it to isolate themselves.",
    )
    consumer_batch_size: int = Field(
        500,
        ge=1,
        le=10_000,
        description="Most records one consumer batch (one DB transaction) takes.",
    )
    consumer_idle_wait_ms: int = Field(
        10,
        ge=1,
        le=1_000,
        description=(
            "How long a consumer with nothing to do waits for a record before looking again (FastStream then"
            " pauses as long again): the most an idle service adds to a record's latency."
        ),
    )
    outbox_batch_size: int = Field(
        500,
        ge=1,
        le=10_000,
        description="Most outbox rows the relay sends before marking them sent.",
    )
    outbox_poll_seconds: float = Field(
        1.0,
        gt=0,
        description="Fallback poll of the outbox when no NOTIFY arrives (NOTIFY is the fast path).",
    )
    outbox_straight_grace_seconds: float = Field(
        10.0,
        gt=0,
        description=(
            "How long the relay leaves an event a consumer batch sends itself after its commit before sending it"
            " too, if Kafka's acknowledgement has not been confirmed by then (a replica died, Kafka refused it)."
        ),
    )
    auth_failure_limit: int = Field(
        10, ge=1, description="Failed authentications from one address in a minute before it is answered 429."
    )
    audit_seal_seconds: float = Field(
        2.0, gt=0, description="How often the audit trail's new rows are chained (see platform_plumbing.audit_trail)."
    )
    letterbox_seconds: float = Field(
        5.0, gt=0, description="How often a service deletes the records it has processed from a topic it empties."
    )
    max_delivery_attempts: int = Field(
        5,
        ge=1,
        description="Times a record may fail with an unexpected error before it is dead-lettered.",
    )
    max_record_bytes: int = Field(
        128 * 1024,
        ge=4096,
        description="Larger records (body and headers) are dead-lettered unread: no message of ours comes near it.",
    )
    stall_alert_seconds: float = Field(
        60.0,
        gt=0,
        description="How long a consumer may retry without committing before it logs an ERROR (and again as often).",
    )
    retry_backoff_seconds: float = Field(
        1.0,
        ge=0,
        description="Pause before a batch that failed for an infrastructure reason is retried.",
    )

    clock_speed: float = Field(
        1.0,
        gt=0,
        description="Simulated seconds per real second; only the demo sets it (16 weeks in minutes).",
    )
    clock_epoch: datetime | None = Field(
        None,
        description="Real moment the accelerated clock starts from; every service must be given the same.",
    )
    clock_fast_forward_after_days: float | None = Field(
        None,
        gt=0,
        description="Simulated days after which the accelerated clock runs at `clock_fast_forward_speed` (the demo:"
        " the months after every case has concluded, until its 24-month cohort has matured).",
    )
    clock_fast_forward_speed: float | None = Field(
        None, gt=0, description="Simulated seconds per real second after the fast-forward point."
    )

    @property
    def kafka(self) -> KafkaAccess:
        """The brokers, as this process's principal."""
        return KafkaAccess(
            self.kafka_bootstrap_servers,
            self.kafka_username,
            self.kafka_password.get_secret_value(),
            self.kafka_ca_file,
        )

    def topic(self, name: str) -> str:
        return self.topic_prefix + name


KEK_FILE = Path(__file__).resolve().parents[1] / ".runtime" / "keys" / "personal-data-kek.json"


class PersonalDataSettings(BaseSettings):
    """For the services that seal or open personal data (intake, compliance); the router never needs it."""

    personal_data_kek_uri: str = Field(
        f"local-keyset://{KEK_FILE}",
        description="The key-encryption key that wraps every case's data key: `local-keyset://<file>` (what"
        " `make up` writes) or a KMS key URI with a registered Tink client.",
    )


def own_login(prefix: str, name: str) -> Any:
    """The field `name` (`database_url`, `migration_database_url`, `kafka_username` or `kafka_password`)
    read from `<prefix>_<NAME>` first — what `make up` prints for each service — then the plain name."""
    inherited = PlatformSettings.model_fields[name]
    return Field(
        inherited.default, validation_alias=AliasChoices(f"{prefix}_{name}", name), description=inherited.description
    )
