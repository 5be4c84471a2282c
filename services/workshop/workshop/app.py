"""Wiring: the workshop runtime (database, relay, reactions, timers, projections) and its HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import ServiceRuntime, service_app
from events.tracing import configure_tracing
from workshop import api, policies
from workshop.handlers import PROGRESS_CHECK, Workshop
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
    configure_tracing("workshop")
    return create_app()
