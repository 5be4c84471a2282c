"""Wiring: the parts runtime (database, relay, reactions, projections) and its HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.http import install_error_handlers
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import ServiceRuntime, add_health_routes
from events.tracing import configure_tracing, instrument_app
from parts import api, policies
from parts.handlers import Parts
from parts.projections import PartsOrders, StockLevels


def create_app(
    *, clock: Clock | None = None, database_url: str | None = None, kafka: KafkaSettings | None = None
) -> FastAPI:
    runtime = ServiceRuntime(
        "parts",
        migrations=load_folder("parts", Path(__file__).parent / "sql"),
        own_projections=[StockLevels(), PartsOrders()],
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    parts = Parts(runtime)
    runtime.reactions = [policies.stock_movements(parts), policies.line_reservations(parts)]
    app = FastAPI(title="dealerflow parts", lifespan=runtime.lifespan)
    app.state.parts = parts
    install_error_handlers(app)
    add_health_routes(app)
    app.include_router(api.router)
    instrument_app(app)
    return app


def main_app() -> FastAPI:
    configure_tracing("parts")
    return create_app()
