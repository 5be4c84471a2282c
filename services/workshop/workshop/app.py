"""Wiring: the workshop runtime (database, relay, reactions, timers, projections) and its HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import ServiceRuntime, service_app
from events.settings import Settings, load
from events.tracing import configure_tracing
from workshop import api, policies
from workshop.domain.clocks import PROGRESS_CHECK
from workshop.handlers import Workshop
from workshop.projections import WorkOrders


def create_app(
    *, clock: Clock | None = None, database_url: str | None = None, kafka: KafkaSettings | None = None
) -> FastAPI:
    runtime = ServiceRuntime(
        "workshop",
        migrations=load_folder("workshop", Path(__file__).parent / "sql"),
        own_projections=[WorkOrders()],
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    workshop = Workshop(runtime)
    runtime.reactions = [policies.repair_orders(workshop), policies.parts_supply(workshop)]
    runtime.timers = {PROGRESS_CHECK: workshop.check_progress}
    return service_app(runtime, api.router, workshop=workshop)


def main_app() -> FastAPI:
    settings = load(Settings)
    configure_tracing("workshop")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings))
