"""Wiring: the parts runtime (database, relay, reactions, projections) and its HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import ServiceRuntime, service_app
from events.settings import Settings, load
from events.tracing import configure_tracing
from parts import api, counter_stream, policies
from parts.handlers import Parts
from parts.projections import PartsOrders, StockLevels


def create_app(
    *, clock: Clock | None = None, database_url: str | None = None, kafka: KafkaSettings | None = None
) -> FastAPI:
    runtime = ServiceRuntime(
        "parts",
        migrations=load_folder("parts", Path(__file__).parent / "sql"),
        own_projections=[counter_stream.announcing(StockLevels()), counter_stream.announcing(PartsOrders())],
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    parts = Parts(runtime)
    runtime.reactions = [
        policies.stock_movements(parts),
        policies.line_reservations(parts),
        policies.appointment_reservations(parts),
        policies.visits_without_repair_order(parts),
    ]
    runtime.timers = {policies.ARRIVED_HOLD_ENDS: policies.arrived_hold_ends(parts)}
    # The stream's route first: `stock/stream` is not a part number.
    return service_app(runtime, counter_stream.router, api.router, parts=parts, counter_changes=counter_stream.feed())


def main_app() -> FastAPI:
    settings = load(Settings)
    configure_tracing("parts")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings))
