"""The gateway's Prometheus metrics at `/metrics`: every forwarded request's latency, by the
service and resource it went to and the answer's status (one histogram, the same name and
labels as the services' own, so one dashboard panel shows both sides)."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest

from events.metrics import LATENCY_BUCKETS
from gateway.pages import PAGES
from gateway.routing import API_PREFIX

_SITE_PREFIX = f"{API_PREFIX}/sites/"


def route_of(path: str) -> str:
    """`/api/v1/sites/<id>/work-orders/<id>/…` → `/api/v1/sites/{site_id}/work-orders`: the
    resource, never an id (an id would make a time series each)."""
    if path.startswith(_SITE_PREFIX):
        parts = path[len(_SITE_PREFIX) :].split("/")
        return f"{_SITE_PREFIX}{{site_id}}/{parts[1]}" if len(parts) > 1 else f"{_SITE_PREFIX}{{site_id}}"
    named = path in PAGES or path in ("/auth/dev-token", "/openapi.json", f"{API_PREFIX}/me")
    return path if named else "other"


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "dealerflow_http_request_seconds",
            "Time to answer an HTTP request (a command or a query), by route and status",
            ["service", "method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, scope: MutableMapping[str, Any], status: int, seconds: float) -> None:
        """For `events.metrics.TimedRequests`."""
        path = scope["path"]
        if not path.startswith(("/metrics", "/health")):
            self.latency.labels("gateway", scope["method"], route_of(path), str(status)).observe(seconds)

    async def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
