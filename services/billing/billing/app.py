"""Wiring: the billing runtime (database, relay, its tables' migrations), its one client for
other services (`Peers`: reception's repair order at invoicing) and its HTTP app."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI

from billing import api
from billing.handlers import Billing
from billing.outbound import wiring
from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.peers import Peers
from events.runtime import ServiceRuntime, service_app
from events.settings import Settings, load
from events.tracing import configure_tracing

# The outward adapters (fapiao, the repair e-record) are modules of their own in this package;
# their routers join the app when they are there.
OUTBOUND_ROUTERS = ("billing.fapiao_api", "billing.erecord_api")


def outbound_routers() -> list[APIRouter]:
    routers = []
    for name in OUTBOUND_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise  # the module is there and broken: say so, do not serve without it
            continue
        routers.append(module.router)
    return routers


def create_app(
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    kafka: KafkaSettings | None = None,
    peers: Peers | None = None,
) -> FastAPI:
    runtime = ServiceRuntime(
        "billing",
        migrations=load_folder("billing", Path(__file__).parent / "sql"),
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    client = peers or Peers()
    billing = Billing(runtime, client)
    outbound = wiring.install(runtime)  # the fapiao and e-record adapters' policy, timers, state
    app = service_app(runtime, api.router, *outbound_routers(), billing=billing, peers=client, **outbound)
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with started(app):
            try:
                yield
            finally:
                await client.aclose()

    app.router.lifespan_context = lifespan
    return app


def main_app() -> FastAPI:
    settings = load(Settings)
    configure_tracing("billing")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings))
