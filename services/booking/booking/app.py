"""Wiring: the booking runtime (database, relay, confirmation clocks, own and fed read models)
and its HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from booking import api, policies, preparation, privacy
from booking.domain.clocks import BEFORE_ARRIVAL, DAY_BEFORE
from booking.handlers import Booking
from booking.projections import PERSONAL_COLUMNS, Appointments, Customers
from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import ServiceRuntime, service_app
from events.settings import Settings, load
from events.tracing import configure_tracing


def create_app(
    *, clock: Clock | None = None, database_url: str | None = None, kafka: KafkaSettings | None = None
) -> FastAPI:
    runtime = ServiceRuntime(
        "booking",
        personal_columns=PERSONAL_COLUMNS,
        migrations=load_folder("booking", Path(__file__).parent / "sql"),
        own_projections=[Appointments(), Customers()],
        feed_projections=list(preparation.FEEDS),
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    booking = Booking(runtime)
    runtime.timers = {
        DAY_BEFORE: policies.day_before_reminder(booking),
        BEFORE_ARRIVAL: policies.confirmation_expected(booking),
    }
    return service_app(runtime, api.router, privacy.router, booking=booking)


def main_app() -> FastAPI:
    settings = load(Settings)
    configure_tracing("booking")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings))
