"""Structured JSON logs for every service, with the trace id as correlation id.

Log calls in this code base pass ids and error classes, never message content, so personal data
does not reach the logs; the formatter adds nothing of its own but time, level, service and trace.
"""

from __future__ import annotations

import logging
from pathlib import PurePath

from pythonjsonlogger.json import JsonFormatter

from platform_plumbing.tracing import current_trace_id


class _Correlation(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.trace_id = current_trace_id()
        return True


def configure_logging(service: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(trace_id)s",
            rename_fields={"levelname": "level", "asctime": "time"},
        )
    )
    handler.addFilter(_Correlation(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def where_raised(error: BaseException) -> str:
    """`file:line` where `error` was raised, for a log line: the place, never the message (an exception's
    message may quote the data it failed on, personal data included)."""
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    if trace is None:
        return "unknown"
    return f"{'/'.join(PurePath(trace.tb_frame.f_code.co_filename).parts[-2:])}:{trace.tb_lineno}"
