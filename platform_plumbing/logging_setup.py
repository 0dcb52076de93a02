"""Structured JSON logs for every service, with the trace id as correlation id.

Log calls in this code base pass ids and error classes, never message content, so personal data
does not reach the logs; the formatter adds nothing of its own but time, level, service and trace.
"""

from __future__ import annotations

import logging

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
