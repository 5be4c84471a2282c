"""Structured logs carry the service and the current trace: a log line leads to its trace."""

from __future__ import annotations

import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from events.logs import JsonFormatter


def test_a_log_line_is_json_with_the_trace_and_span_of_its_moment() -> None:
    formatter = JsonFormatter("workshop")
    record = logging.LogRecord("workshop.policies", logging.WARNING, __file__, 1, "job %s late", ("J-1",), None)
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("dispatch") as span:
        line = json.loads(formatter.format(record))
        context = span.get_span_context()
    assert line["service"] == "workshop"
    assert (line["level"], line["message"], line["logger"]) == ("warning", "job J-1 late", "workshop.policies")
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")
    outside = json.loads(formatter.format(record))
    assert "trace_id" not in outside, "no trace, no made-up id"
