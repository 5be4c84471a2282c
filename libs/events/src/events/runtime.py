"""A service's moving parts, started and stopped together: its database pool and event
store, the outbox relay, its reactions to other services' events, its timers and its
projections. `app.py` of each service builds one `ServiceRuntime` and hands its `lifespan` to
FastAPI.

Background loops are supervised: a loop that fails (broker unreachable, database restarted)
is logged and restarted with back-off, so the service heals when the dependency returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI, Request

from events import dead_letters
from events.catalog.privacy import PersonalDataErased
from events.clock import Clock, SystemClock, sleep_unless
from events.commands import clear_state_caches
from events.connection import Connection
from events.consumer import Consumer, Handler
from events.consumer_group import SharedGroup
from events.database import open_pool
from events.envelope import Envelope
from events.http import install_error_handlers
from events.kafka import KafkaSettings
from events.link_refusals import install_link_refusals
from events.metrics import install_metrics
from events.migrations import Migration
from events.openapi import document_errors
from events.personal_data import PersonalDataKeys
from events.privacy import PersonalColumn, erase_personal_data
from events.projection import KafkaProjector, LogProjector, Projection
from events.relay import Relay
from events.settings import Settings, load
from events.store import EventStore
from events.timers import TimerHandler, TimerRunner
from events.tracing import instrument_app

log = logging.getLogger(__name__)

Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Reaction:
    """A consumer group reacting to events of other services (a policy)."""

    name: str
    services: Sequence[str]
    handles: Collection[str]
    handler: Handler


@dataclass
class ServiceRuntime:
    name: str
    migrations: list[Migration] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    timers: dict[str, TimerHandler] = field(default_factory=dict)
    own_projections: list[Projection] = field(default_factory=list)
    feed_projections: list[tuple[Projection, Sequence[str]]] = field(default_factory=list)
    # Where this service's read models hold customers' personal data: scrubbed on an erasure.
    personal_columns: Sequence[PersonalColumn] = ()
    clock: Clock = field(default_factory=SystemClock)
    database_url: str | None = None
    kafka: KafkaSettings | None = None

    def __post_init__(self) -> None:
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._pool: asyncpg.Pool | None = None
        self.relay: Relay | None = None
        self.consumers: list[Consumer] = []
        self.projectors: list[LogProjector | KafkaProjector] = []

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._pool

    @property
    def store(self) -> EventStore:
        return EventStore(self.pool)

    async def start(self, *, background: bool = True) -> None:
        url = self.database_url or load(Settings).database_url
        if not url:
            raise RuntimeError("DATABASE_URL is not set")
        self._pool = await open_pool(url, migrations=self.migrations)
        kafka = self.kafka or KafkaSettings.from_env()
        store = EventStore(self._pool)
        self.relay = Relay(store, kafka)
        self.consumers = [
            Consumer(
                f"{self.name}.{r.name}",
                [kafka.topic(s) for s in r.services],
                r.handles,
                r.handler,
                self._pool,
                kafka,
            )
            for r in self.reactions
        ]
        # Every service honours an erasure, whoever took the request (decision 0004).
        self.consumers.append(
            Consumer(
                f"{self.name}.privacy",
                [kafka.topic("privacy")],
                {PersonalDataErased.event_type},
                self._erase,
                self._pool,
                kafka,
            )
        )
        # One consumer group for all of them: one fetch, heartbeat and commit instead of one each.
        self.consumer_group = SharedGroup(f"{self.name}.consumers", self.consumers, kafka)
        self.projectors = [LogProjector(store, p) for p in self.own_projections] + [
            KafkaProjector(self._pool, p, kafka, [kafka.topic(s) for s in services])
            for p, services in self.feed_projections
        ]
        if not background:
            return
        # Other replicas' appends wake this one's relay and projectors too.
        loops: list[tuple[str, Loop]] = [("relay", self.relay.run), ("log listener", store.signal.listen)]
        loops.append(("consumers", self.consumer_group.run))
        loops += [(f"projection {p.projection.name}", p.run) for p in self.projectors]
        if self.timers:
            loops.append(("timers", TimerRunner(self._pool, self.clock, self.timers).run))
        self._tasks = [asyncio.create_task(self._supervise(name, loop), name=name) for name, loop in loops]

    async def _erase(self, conn: Connection, envelope: Envelope[Any]) -> None:
        erased: PersonalDataErased = envelope.event
        count = await erase_personal_data(
            conn, PersonalDataKeys.of(self.pool), erased.subject_ids, self.personal_columns
        )
        # Folded states may hold what was just erased: this process's caches start afresh.
        clear_state_caches()
        log.info("erased customer %s: %d personal values scrubbed", erased.customer_id, count)

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=20)
        for task in self._tasks:
            task.cancel()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        app.state.runtime = self
        try:
            yield
        finally:
            await self.stop()

    async def readiness(self) -> dict[str, Any]:
        """What an orchestrator and an operator need to know: database reachable, outbox
        backlog, background loops alive, projection lag."""
        await self.pool.fetchval("SELECT 1")
        assert self.relay is not None
        lags = {p.projection.name: await p.lag() for p in self.projectors}
        return {
            "service": self.name,
            "outbox_backlog": await self.relay.backlog(),
            "loops": {t.get_name(): ("running" if not t.done() else "stopped") for t in self._tasks},
            "consumers": {c.name: len(c.assigned) for c in self.consumers},
            "dead_letters": await self.pool.fetchval("SELECT count(*) FROM dead_letters WHERE redriven_at IS NULL"),
            "projections": {
                name: {"seconds_behind": lag.seconds_behind, "events_behind": lag.events_behind}
                for name, lag in lags.items()
            },
        }

    async def _supervise(self, name: str, loop: Loop) -> None:
        await supervise(f"{self.name}: {name}", loop, self._stop)


async def supervise(name: str, loop: Loop, stop: asyncio.Event) -> None:
    """Run a background loop until `stop`; a loop that fails is logged and started again, with
    a back-off that doubles up to 10 s (a database or broker that is away comes back)."""
    delay = 0.5
    while not stop.is_set():
        try:
            await loop(stop)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; restarting in %.1fs", name, delay)
            await sleep_unless(stop, delay)
            delay = min(delay * 2, 10.0)


@dataclass(frozen=True)
class UseCases:
    """Base of a service's use cases (`Parts`, `Reception`, …): its event store and clock."""

    runtime: ServiceRuntime

    @property
    def store(self) -> EventStore:
        return self.runtime.store

    def now(self) -> datetime:
        return self.runtime.clock.now()


def store_of(request: Request) -> EventStore:
    """The event store of the service serving `request`: what a command route runs `execute` on."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime.store


def now(request: Request) -> datetime:
    """The time by the service's clock (a test's own clock in tests): the time a route's command carries."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime.clock.now()


def service_app(runtime: ServiceRuntime, router: APIRouter, *more: APIRouter, **state: Any) -> FastAPI:
    """A service's HTTP app: its routes, the shared error mapping (and a customer link's
    refusals), health and readiness, tracing; `state` (the use cases) lands on `app.state`."""
    app = FastAPI(title=f"dealerflow {runtime.name}", lifespan=runtime.lifespan)
    app.state.runtime = runtime
    for name, value in state.items():
        setattr(app.state, name, value)
    install_error_handlers(app)
    install_link_refusals(app)
    add_health_routes(app)
    install_metrics(app, runtime)
    for each in (router, *more, dead_letters.router):
        app.include_router(each)
    document_errors(app)
    instrument_app(app)
    return app


def add_health_routes(app: FastAPI) -> None:
    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> dict[str, Any]:
        runtime: ServiceRuntime = app.state.runtime
        return await runtime.readiness()


def serve(app: FastAPI, default_port: int) -> None:
    """`python -m <service>`: serve the app on $PORT, logging JSON lines with trace ids."""
    import uvicorn

    from events.logs import configure_logging

    settings = load(Settings)
    configure_logging(app.title.removeprefix("dealerflow "), settings)
    # A log line per request costs a small request a tenth of its CPU; traces and the latency
    # histograms cover requests. ACCESS_LOG=1 turns the lines on: uvicorn's for the requests
    # served, httpx's for the gateway's calls to the services (the same requests again).
    access_log = settings.access_log
    if not access_log:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    uvicorn.run(
        app,
        host=settings.host,
        port=default_port if settings.port is None else settings.port,
        log_config=None,  # keep the JSON handler configured above
        access_log=access_log,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
