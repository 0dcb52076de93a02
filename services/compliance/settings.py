"""Compliance's settings: the shared platform settings plus what only compliance needs (`COMPLIANCE_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from platform_plumbing.settings import PersonalDataSettings, PlatformSettings, own_login

REPO_ROOT = Path(__file__).resolve().parents[2]


class ComplianceSettings(PlatformSettings, PersonalDataSettings):
    database_url: str = own_login("COMPLIANCE", "database_url")
    kafka_username: str = own_login("COMPLIANCE", "kafka_username")
    kafka_password: SecretStr = own_login("COMPLIANCE", "kafka_password")
    migration_database_url: str | None = own_login("COMPLIANCE", "migration_database_url")
    compliance_rules_file: Path = Field(
        REPO_ROOT / "deploy" / "policy" / "compliance-rules.yaml",
        description="Breach rules (YAML); validated at start, a broken file stops the service.",
    )
    compliance_catalogue_file: Path = Field(
        REPO_ROOT / "deploy" / "agencies" / "catalogue.yaml",
        description="The agency catalogue; compliance reads what each agency may be shown (`discloses`).",
    )
    compliance_db_schema: str = Field("compliance", description="PostgreSQL schema compliance owns.")
    compliance_host: str = Field("127.0.0.1", description="Address the agency gateway listens on.")
    compliance_port: int = Field(18082, description="Port the agency gateway listens on.")
    compliance_sweep_seconds: float = Field(
        60.0,
        gt=0,
        description="How often passed deadlines, referrals not answered in time and events held too long are"
        " looked for.",
    )
    compliance_hold_hours: float = Field(
        24.0,
        gt=0,
        description="How long an event read before the case or referral it names (a referral before its case,"
        " an agency update before its referral) waits for it before it is dead-lettered.",
    )
    compliance_max_body_bytes: int = Field(32 * 1024, ge=1024, description="Larger bodies are refused with 413.")
    compliance_event_source: str = Field("/diversion/compliance", description="CloudEvents `source` of its events.")
