"""How every service process starts: logging, build the app (failing clearly on bad data files), serve."""

from __future__ import annotations

import sys
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from platform_plumbing.logging_setup import configure_logging
from platform_plumbing.tracing import configure_tracing


def serve(
    name: str, build: Callable[[], FastAPI], *, host: str, port: int, startup_errors: tuple[type[Exception], ...]
) -> int:
    """Run the app `build()` returns; a `startup_errors` exception ends the process with status 2."""
    configure_logging(name)
    configure_tracing(name)
    try:
        app = build()
    except startup_errors as error:
        print(f"{name} cannot start: {error}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=host, port=port, loop="uvloop", log_level="info", access_log=False, log_config=None)
    return 0
