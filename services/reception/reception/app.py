"""Wiring: the reception runtime (database, relay, reactions to the workshop, projection) and its HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import ServiceRuntime, service_app
from events.settings import load
from events.tracing import configure_tracing
from reception import api, board_api, policies
from reception.board import AdvisorBoard, BoardFeed
from reception.booked_appointments import BookedAppointments
from reception.handlers import Reception
from reception.projections import PERSONAL_COLUMNS, RepairOrders
from reception.settings import ReceptionSettings


def create_app(
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    kafka: KafkaSettings | None = None,
    booking_patience: float | None = None,
) -> FastAPI:
    """`booking_patience` (or RECEPTION_BOOKING_PATIENCE_SECONDS, 5): how long a check-in waits
    for booking's record of the car's arrival to reach reception (decision 0006)."""
    runtime = ServiceRuntime(
        "reception",
        personal_columns=PERSONAL_COLUMNS,
        migrations=load_folder("reception", Path(__file__).parent / "sql"),
        own_projections=[RepairOrders()],
        feed_projections=[
            (AdvisorBoard(), ["booking", "reception", "workshop"]),
            (BookedAppointments(), ["booking"]),
        ],
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    if booking_patience is None:
        booking_patience = load(ReceptionSettings).reception_booking_patience_seconds
    reception = Reception(runtime, booking_patience)
    runtime.reactions = [policies.workshop_results(reception)]
    return service_app(runtime, api.router, board_api.router, reception=reception, board_feed=BoardFeed())


def main_app() -> FastAPI:
    settings = load(ReceptionSettings)
    configure_tracing("reception")
    return create_app(
        database_url=settings.database_url,
        kafka=KafkaSettings.from_env(settings),
        booking_patience=settings.reception_booking_patience_seconds,
    )
