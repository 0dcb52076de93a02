"""The router's settings: the shared platform settings plus what only the router needs (`ROUTER_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from platform_plumbing.settings import PlatformSettings, own_login

REPO_ROOT = Path(__file__).resolve().parents[2]


class RouterSettings(PlatformSettings):
    database_url: str = own_login("ROUTER", "database_url")
    kafka_username: str = own_login("ROUTER", "kafka_username")
    kafka_password: SecretStr = own_login("ROUTER", "kafka_password")
    migration_database_url: str | None = own_login("ROUTER", "migration_database_url")
    router_catalogue_file: Path = Field(
        REPO_ROOT / "deploy" / "agencies" / "catalogue.yaml",
        description="The agency catalogue (YAML). Validated at start; re-read when it changes on disk.",
    )
    router_catalogue_check_seconds: float = Field(
        5.0, gt=0, description="How often the catalogue file is checked for changes (a broken change is refused)."
    )
    router_db_schema: str = Field("referral_router", description="PostgreSQL schema the router owns.")
    router_host: str = Field("127.0.0.1", description="Address of the router's small HTTP API (health, agencies).")
    router_port: int = Field(18081, description="Port of the router's HTTP API.")
    router_event_source: str = Field("/diversion/referral-router", description="CloudEvents `source` of its events.")
