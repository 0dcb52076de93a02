"""`python -m services.referral_router`: the router (Kafka consumer, timers, outbox relay, small HTTP API)."""

import sys

from platform_plumbing.service_main import serve
from services.referral_router.bootstrap import create_app
from services.referral_router.domain.catalogue import CatalogueError
from services.referral_router.settings import RouterSettings

if __name__ == "__main__":
    settings = RouterSettings()
    sys.exit(
        serve(
            "referral router",
            lambda: create_app(settings),
            host=settings.router_host,
            port=settings.router_port,
            startup_errors=(CatalogueError,),
        )
    )
