"""Structured logs: one JSON object per line, with the service and the current trace and span
ids, so a log line leads to its trace in Jaeger/Tempo and back (issue 5, ops).

`python -m <service>` logs this way (`events.runtime.serve`); `DEALERFLOW_LOG_FORMAT=text`
keeps plain lines for a developer's terminal, and `LOG_LEVEL` (default `INFO`) sets how much
is logged (events.settings).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from events.settings import Settings, load


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["trace_id"] = format(span.trace_id, "032x")
            line["span_id"] = format(span.span_id, "016x")
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(service: str, settings: Settings | None = None) -> None:
    """Every logger of the process (ours, uvicorn's, aiokafka's) writes JSON lines to stderr, at
    the settings' `LOG_LEVEL` and above."""
    settings = settings or load(Settings)
    handler = logging.StreamHandler()
    if settings.dealerflow_log_format == "json":
        handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
