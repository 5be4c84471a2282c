"""Wiring: the complaints runtime (database, relay, the callback reaction, SLA and second-callback
timers, the desk projection) and its HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from complaints import api, policies
from complaints.domain.clocks import FOLLOW_UP_TIMER, SLA_TIMER
from complaints.handlers import Complaints
from complaints.projections import PERSONAL_COLUMNS, ComplaintDesk
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
        "complaints",
        personal_columns=PERSONAL_COLUMNS,
        migrations=load_folder("complaints", Path(__file__).parent / "sql"),
        own_projections=[ComplaintDesk()],
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    complaints = Complaints(runtime)
    runtime.reactions = [policies.callbacks(complaints)]
    runtime.timers = {SLA_TIMER: complaints.record_sla_breach, FOLLOW_UP_TIMER: complaints.record_follow_up_overdue}
    return service_app(runtime, api.router, complaints=complaints)


def main_app() -> FastAPI:
    settings = load(Settings)
    configure_tracing("complaints")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings))
