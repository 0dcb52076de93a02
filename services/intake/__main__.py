"""`python -m services.intake`: run intake (HTTP API, Kafka command consumer, outbox relay) in one process."""

import sys

from platform_plumbing.service_main import serve
from services.intake.bootstrap import create_app
from services.intake.domain.policy import PolicyError
from services.intake.settings import IntakeSettings

if __name__ == "__main__":
    settings = IntakeSettings()
    sys.exit(
        serve(
            "intake",
            lambda: create_app(settings),
            host=settings.intake_host,
            port=settings.intake_port,
            startup_errors=(PolicyError,),
        )
    )
