"""Where the operations tools find the platform: the same `KEY=value` settings `make up` prints.

When the variables are not set, `.runtime/stack.env` (written by `make up`) is read, so the CLI
works straight after `make up` without sourcing anything.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from platform_plumbing.settings import PlatformSettings, own_login

REPO_ROOT = Path(__file__).resolve().parents[2]


class OperationsSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_file=REPO_ROOT / ".runtime" / "stack.env", extra="ignore")

    database_url: str = own_login("OPERATIONS", "database_url")
    kafka_username: str = own_login("OPERATIONS", "kafka_username")
    kafka_password: SecretStr = own_login("OPERATIONS", "kafka_password")

    agency_api_url: str = Field("http://127.0.0.1:18082", description="Compliance gateway (reports).")
    router_url: str = Field("http://127.0.0.1:18081", description="Referral router (agencies and load).")
    operations_api_key: str = Field("", description="The operations key for the compliance reports.")
    router_api_key: str = Field("", description="The operations key for the router's agencies and unplaced needs.")
    dashboard_host: str = Field("127.0.0.1", description="Address the dashboard listens on.")
    dashboard_port: int = Field(18083, description="Port the dashboard listens on.")
    intake_db_schema: str = Field("intake", description="Intake's schema, for checking the books.")
    router_db_schema: str = Field("referral_router", description="The router's schema, for checking the books.")
    compliance_db_schema: str = Field("compliance", description="Compliance's schema, for checking the books.")

    @property
    def schemas(self) -> dict[str, str]:
        """Each service's schema, by the name `books` knows it under."""
        return {
            "intake": self.intake_db_schema,
            "router": self.router_db_schema,
            "compliance": self.compliance_db_schema,
        }
