"""One case followed across services: W3C trace context travels in Kafka headers.

A span is opened for each HTTP request and for each consumed record (continuing the trace whose
`traceparent` the record carries); every event written to the outbox inside it carries the same
trace. The trace id also serves as the correlation id in the JSON logs. Spans are exported over OTLP
(HTTP) when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, with the
SDK's other `OTEL_*` settings honoured by the exporter; otherwise they are not exported at all.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping

from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

OTLP_SETTINGS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_configured = False


def configure_tracing(service: str = "diversion", environ: Mapping[str, str] = os.environ) -> None:
    """Install an SDK tracer provider once per process, so spans have real, propagatable ids, named for
    `service` and exported as `environ` says (see `exporters`)."""
    global _configured
    if _configured:
        return
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
        for processor in exporters(environ):
            provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
    _configured = True


def exporters(environ: Mapping[str, str]) -> list[SpanProcessor]:
    """Where spans go: over OTLP (HTTP, in batches) when an OTLP endpoint is set; nowhere otherwise."""
    if not any(environ.get(setting) for setting in OTLP_SETTINGS):
        return []
    return [BatchSpanProcessor(OTLPSpanExporter())]


@functools.cache
def tracer() -> trace.Tracer:
    """Looked up once: `make bench` found the lookup costing 4-10% of a consumer's time, once per record.
    (A tracer fetched before `configure_tracing` is a proxy that follows the provider set later.)"""
    return trace.get_tracer("diversion")


def context_from_headers(headers: Iterable[tuple[str, bytes | None]]):
    """The trace context a Kafka record carries (empty when it carries none)."""
    fields = propagate.get_global_textmap().fields
    carrier = {name: value.decode(errors="replace") for name, value in headers if name in fields and value}
    return propagate.extract(carrier)


def trace_headers() -> list[tuple[str, bytes]]:
    """`traceparent` (and `tracestate`) for the current span, as Kafka headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [(name, value.encode()) for name, value in carrier.items()]


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
