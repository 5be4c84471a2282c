"""A web app's Prometheus metrics at `/metrics`: every request's latency by route template and
status, under the same histogram name and labels as the services' own (one dashboard panel)."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest

from events.metrics import LATENCY_BUCKETS, TimedRequests


def install_metrics(app: FastAPI, service: str) -> None:
    registry = CollectorRegistry(auto_describe=True)
    latency = Histogram(
        "dealerflow_http_request_seconds",
        "Time to answer an HTTP request (a command or a query), by route and status",
        ["service", "method", "route", "status"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )

    def observe(scope: MutableMapping[str, Any], status: int, seconds: float) -> None:
        # The route's template, never the path: ids and links' tokens would make a series each.
        route = str(getattr(scope.get("route"), "path", "unmatched"))
        latency.labels(service, scope["method"], route, str(status)).observe(seconds)

    async def render() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(TimedRequests, observe=observe)
    app.get("/metrics", include_in_schema=False)(render)
