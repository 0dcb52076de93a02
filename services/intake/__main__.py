"""`python -m services.intake`: run intake (HTTP API, Kafka command consumer, outbox relay) in one process."""

from __future__ import annotations

import logging
import sys

import uvicorn

from services.intake.bootstrap import create_app
from services.intake.domain.policy import PolicyError
from services.intake.settings import IntakeSettings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = IntakeSettings()
    try:
        app = create_app(settings)
    except PolicyError as error:
        print(f"intake cannot start: {error}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=settings.intake_host, port=settings.intake_port, log_level="info", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
