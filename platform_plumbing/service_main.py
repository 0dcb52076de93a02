"""How every service process starts: logging, build the app (failing clearly on bad data files), serve."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI


def serve(
    name: str, build: Callable[[], FastAPI], *, host: str, port: int, startup_errors: tuple[type[Exception], ...]
) -> int:
    """Run the app `build()` returns; a `startup_errors` exception ends the process with status 2."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        app = build()
    except startup_errors as error:
        print(f"{name} cannot start: {error}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    return 0
