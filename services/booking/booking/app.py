"""Wiring: the booking runtime (database, relay, confirmation clocks, own and fed read models)
and its HTTP app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from booking import (
    api,
    appointment_links,
    capacity_api,
    customers_api,
    policies,
    preparation,
    privacy,
    self_booking,
    site_directory,
)
from booking.appointment_links import AppointmentLinks
from booking.domain.clocks import BEFORE_ARRIVAL, DAY_BEFORE
from booking.handlers import Booking
from booking.projections import PERSONAL_COLUMNS, Appointments, Customers
from booking.settings import BookingSettings
from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.peers import Peers
from events.runtime import ServiceRuntime, service_app
from events.settings import load
from events.tracing import configure_tracing

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    kafka: KafkaSettings | None = None,
    peers: Peers | None = None,
    settings: BookingSettings | None = None,
) -> FastAPI:
    """`peers`: how booking reaches the catalogue (by default at `CATALOGUE_URL`); closed with the app.
    `settings`: the link key and the portal's address (by default from the environment)."""
    settings = settings or load(BookingSettings)
    links = AppointmentLinks(settings.link_key, settings.portal_url)
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
    booking = Booking(runtime, peers or Peers())
    runtime.timers = {
        DAY_BEFORE: policies.day_before_reminder(booking, links.url_for),
        BEFORE_ARRIVAL: policies.confirmation_expected(booking),
    }
    app = service_app(
        runtime,
        capacity_api.router,
        api.router,
        customers_api.router,
        privacy.router,
        site_directory.router,
        self_booking.router,
        appointment_links.router,
        booking=booking,
        appointment_links=links,
    )
    app.router.lifespan_context = _closing(runtime.lifespan, booking.peers)
    return app


def _closing(lifespan: Lifespan, peers: Peers) -> Lifespan:
    """The runtime's lifespan, then the peers' connections closed at shutdown."""

    @asynccontextmanager
    async def closing(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with lifespan(app):
                yield
        finally:
            await peers.aclose()

    return closing


def main_app() -> FastAPI:
    settings = load(BookingSettings)
    configure_tracing("booking")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings), settings=settings)
