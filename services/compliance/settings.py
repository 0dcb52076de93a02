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
        description="The agency catalogue; compliance reads what each agency may be shown (`discloses`), its"
        " workflow terms and the bank holidays.",
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
    compliance_reminder_hours_before: float = Field(
        24.0, gt=0, le=24 * 14, description="How long before an appointment the person is reminded of it."
    )
    notify_api_key: SecretStr | None = Field(
        None,
        description="A GOV.UK Notify API key (`name-serviceid-secret`): reminders to the person go out through it."
        " Unset: no reminder is sent, and each says why.",
    )
    notify_base_url: str = Field("https://api.notifications.service.gov.uk", description="Notify's API (or a fake).")
    notify_sms_template_id: str = Field(
        "5d5b7c3e-0b52-4c0e-9f8d-3c1f2b6a7e10", description="The Notify text message template for a reminder."
    )
    notify_email_template_id: str = Field(
        "8a4f2d19-6e3b-4b7a-a1c5-9d0e2f3b4c6d", description="The Notify email template for a reminder."
    )
    compliance_max_body_bytes: int = Field(32 * 1024, ge=1024, description="Larger bodies are refused with 413.")
    intake_url: str | None = Field(
        None, description="Intake's API, where the diversion team's pages record a police decision after a breach."
    )
    police_api_key: SecretStr | None = Field(
        None, description="The force's key at intake for those decisions; unset, the pages cannot record them."
    )
    router_url: str | None = Field(
        None, description="The router's API, where the diversion team's pages place by hand needs no agency could take."
    )
    router_api_key: SecretStr | None = Field(
        None, description="An operations key at the router for those placements; unset, the pages cannot make them."
    )
    dashboard_url: str | None = Field(
        None, description="The operations dashboard, where the workspace signs its people in; unset, no link to it."
    )
    compliance_event_source: str = Field("/diversion/compliance", description="CloudEvents `source` of its events.")
