"""Intake's settings: the shared platform settings plus what only intake needs (`INTAKE_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from platform_plumbing.settings import PersonalDataSettings, PlatformSettings, own_login

REPO_ROOT = Path(__file__).resolve().parents[2]


class IntakeSettings(PlatformSettings, PersonalDataSettings):
    database_url: str = own_login("INTAKE", "database_url")
    kafka_username: str = own_login("INTAKE", "kafka_username")
    kafka_password: SecretStr = own_login("INTAKE", "kafka_password")
    migration_database_url: str | None = own_login("INTAKE", "migration_database_url")
    intake_policy_files: tuple[Path, ...] = Field(
        (REPO_ROOT / "deploy" / "policy" / "force-policy.yaml",),
        min_length=1,
        description="Each force's disposal policy (YAML; a JSON list in the environment): intake serves these "
        "forces, each under its own. Validated at start: a broken file stops the service.",
    )
    intake_db_schema: str = Field("intake", description="PostgreSQL schema intake owns.")
    intake_host: str = Field("127.0.0.1", description="Address the HTTP API listens on.")
    intake_port: int = Field(18080, description="Port the HTTP API listens on.")
    intake_max_body_bytes: int = Field(
        64 * 1024,
        ge=1024,
        description="Larger request bodies are refused with 413 before they are parsed.",
    )
    intake_event_source: str = Field("/diversion/intake", description="CloudEvents `source` of intake's events.")
