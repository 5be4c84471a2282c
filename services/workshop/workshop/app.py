"""Wiring: the workshop runtime (database, relay, reactions, timers, projections), its media store
and its HTTP app."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.media import Limits, MediaSettings, media_store
from events.migrations import load_folder
from events.runtime import ServiceRuntime, service_app
from events.settings import load
from events.tracing import configure_tracing
from workshop import api, floor_stream, inspection_api, media_files, policies
from workshop.domain.clocks import PROGRESS_CHECK
from workshop.handlers import Workshop
from workshop.inspecting import Inspecting
from workshop.inspection_results import Inspections
from workshop.media_files import MediaFiles
from workshop.projections import WorkOrders


class WorkshopServiceSettings(MediaSettings):
    # The inspection's media are shown to the holder of an approval link.
    verifies_links: ClassVar[bool] = True


def create_app(
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    kafka: KafkaSettings | None = None,
    media: MediaFiles | None = None,
    settings: WorkshopServiceSettings | None = None,
) -> FastAPI:
    settings = settings or load(WorkshopServiceSettings)
    files = media or MediaFiles(media_store(settings), Limits.of(settings))
    runtime = ServiceRuntime(
        "workshop",
        migrations=load_folder("workshop", Path(__file__).parent / "sql"),
        own_projections=[floor_stream.announcing(WorkOrders()), floor_stream.announcing(Inspections())],
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    workshop = Workshop(runtime)
    runtime.reactions = [
        policies.repair_orders(workshop),
        policies.parts_supply(workshop),
        media_files.owners(),
        media_files.erasures(files.store),
    ]
    runtime.timers = {PROGRESS_CHECK: workshop.check_progress}
    return service_app(
        runtime,
        floor_stream.router,  # first: `work-orders/stream` is not a work order's id
        api.router,
        inspection_api.router,
        workshop=workshop,
        floor_changes=floor_stream.feed(),
        inspecting=Inspecting(runtime, workshop, files),
        link_key=settings.link_key,
    )


def main_app() -> FastAPI:
    settings = load(WorkshopServiceSettings)
    configure_tracing("workshop")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings), settings=settings)
