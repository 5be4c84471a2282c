"""Wiring: the reception runtime (database, relay, reactions to the workshop and billing,
projection), its calls to the catalogue (`CATALOGUE_URL`, events.services) and its HTTP app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.peers import Peers
from events.runtime import ServiceRuntime, service_app
from events.settings import load
from events.tracing import configure_tracing
from reception import (
    additional_work_api,
    api,
    approval_api,
    approval_links,
    board_api,
    check_in_api,
    delivery_api,
    estimate_api,
    history,
    policies,
    settings_api,
    signatures,
)
from reception.approval_links import ApprovalLinks, configured_links
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
    peers: Peers | None = None,
    links: ApprovalLinks | None = None,
) -> FastAPI:
    """`booking_patience` (or RECEPTION_BOOKING_PATIENCE_SECONDS, 5): how long a check-in waits
    for booking's record of the car's arrival to reach reception (decision 0006). `peers`: the
    client of the other services' APIs (the catalogue's), closed when the app stops. `links`: the
    customer's approval links (LINK_SECRET, PORTAL_URL, RECEPTION_APPROVAL_LINK_HOURS)."""
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
    settings = load(ReceptionSettings)
    if booking_patience is None:
        booking_patience = settings.reception_booking_patience_seconds
    peers = peers or Peers()
    reception = Reception(runtime, booking_patience, peers, links or configured_links(settings))
    runtime.reactions = [
        policies.workshop_results(reception),
        policies.billing_payments(reception),
        signatures.erasures(),
        approval_links.erasures(),
    ]
    app = service_app(
        runtime,
        api.router,
        check_in_api.router,
        estimate_api.router,
        additional_work_api.router,
        delivery_api.router,
        settings_api.router,
        board_api.router,
        signatures.router,
        history.router,
        approval_api.router,
        approval_api.public_router,
        reception=reception,
        board_feed=BoardFeed(),
        peers=peers,
    )
    runtime_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(app):
            try:
                yield
            finally:
                await peers.aclose()

    app.router.lifespan_context = lifespan
    return app


def main_app() -> FastAPI:
    settings = load(ReceptionSettings)
    configure_tracing("reception")
    return create_app(
        database_url=settings.database_url,
        kafka=KafkaSettings.from_env(settings),
        booking_patience=settings.reception_booking_patience_seconds,
    )
