"""`python -m services.operations`: the operations dashboard."""

import sys

from platform_plumbing.service_main import serve
from services.operations.dashboard import create_app
from services.operations.settings import OperationsSettings

if __name__ == "__main__":
    settings = OperationsSettings()
    sys.exit(
        serve(
            "operations dashboard",
            lambda: create_app(settings),
            host=settings.dashboard_host,
            port=settings.dashboard_port,
            startup_errors=(),
        )
    )
