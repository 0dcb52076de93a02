"""`python -m services.compliance`: the agency gateway, the Kafka consumer, the deadline sweep and the relay."""

import sys

from platform_plumbing.service_main import serve
from services.compliance.bootstrap import create_app
from services.compliance.domain.rules import RulesError
from services.compliance.settings import ComplianceSettings

if __name__ == "__main__":
    settings = ComplianceSettings()
    sys.exit(
        serve(
            "compliance",
            lambda: create_app(settings),
            host=settings.compliance_host,
            port=settings.compliance_port,
            startup_errors=(RulesError,),
        )
    )
