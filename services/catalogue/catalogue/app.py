"""Wiring: the catalogue runtime (database, relay, the site time zones learnt from booking) and
its HTTP app: labour operations and rates, service menus, quotes, and the parts price list."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from catalogue import api, errors_http
from catalogue.handlers import Catalogue
from catalogue.price_list import api as price_list_api
from catalogue.zones import SiteZones
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
        "catalogue",
        migrations=load_folder("catalogue", Path(__file__).parent / "sql"),
        feed_projections=[(SiteZones(), ["booking"])],
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    app = service_app(runtime, api.router, price_list_api.router, catalogue=Catalogue(runtime))
    errors_http.install(app)
    return app


def main_app() -> FastAPI:
    settings = load(Settings)
    configure_tracing("catalogue")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings))
