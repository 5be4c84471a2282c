"""The integration surface's moving parts in one gateway process: its database pool (with its
migrations), the feed's consumer group and sequencer, and the webhook delivery worker.

Background loops are supervised like a service's (events.runtime): a loop that fails (broker
unreachable, database restarted) is logged and restarted with back-off.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from typing import Any

import asyncpg
import httpx

from events.database import open_pool
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import supervise
from events.services import DEFAULT_PORTS
from events.settings import load
from gateway.integration import feed
from gateway.integration.addresses import AddressPolicy
from gateway.integration.backoff import RetryPolicy
from gateway.integration.delivery import DeliverySettings, DeliveryWorker
from gateway.integration.destinations import Destinations, Resolver, system_resolver
from gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

# The gateway and the web apps (the staff desk, the customer portal) publish no events.
PUBLISHING_SERVICES = tuple(name for name in DEFAULT_PORTS if name not in ("gateway", "desk", "portal"))

Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class IntegrationSettings:
    database_url: str
    kafka: KafkaSettings
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    services: Sequence[str] = PUBLISHING_SERVICES
    rotation_overlap: timedelta = timedelta(hours=24)  # how long an old secret keeps signing
    # Where webhooks may point: by DEALERFLOW_ENV, given in tests (which run in local mode).
    address_policy: AddressPolicy = field(default_factory=AddressPolicy.from_env)

    @classmethod
    def from_env(cls, settings: GatewaySettings | None = None) -> IntegrationSettings | None:
        """From the gateway's settings (read from the environment when not given); None without
        `DATABASE_URL` (the gateway then only routes)."""
        settings = settings or load(GatewaySettings)
        if not settings.database_url:
            return None
        retry = RetryPolicy(
            first_delay=settings.gateway_webhook_retry_first_seconds,
            max_delay=settings.gateway_webhook_retry_max_seconds,
            max_age=settings.gateway_webhook_max_age_seconds,
        )
        return cls(
            database_url=settings.database_url,
            kafka=KafkaSettings.from_env(settings),
            delivery=DeliverySettings(retry=retry, timeout=settings.gateway_webhook_timeout_seconds),
            rotation_overlap=timedelta(hours=settings.gateway_webhook_rotation_hours),
            address_policy=AddressPolicy(local=settings.local),
        )


class Integration:
    def __init__(
        self,
        settings: IntegrationSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.destinations = Destinations(settings.address_policy, resolver)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._pool: asyncpg.Pool | None = None
        self._client: httpx.AsyncClient | None = None
        self.ingest: feed.FeedIngest | None = None
        self.worker: DeliveryWorker | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the integration feed is not started")
        return self._pool

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("the integration feed is not started")
        return self._client

    async def start(self) -> None:
        migrations = load_folder("gateway", resources.files("gateway.integration") / "sql")
        self._pool = await open_pool(self.settings.database_url, migrations=migrations)
        # Webhook calls never follow redirects: a receiver's URL is the one that was registered.
        self._client = httpx.AsyncClient(transport=self.transport, follow_redirects=False)
        self.ingest = feed.FeedIngest(self._pool, self.settings.kafka, self.settings.services)
        self.worker = DeliveryWorker(self._pool, self._client, self.settings.delivery, destinations=self.destinations)
        pool = self._pool
        loops: list[tuple[str, Loop]] = [
            ("integration feed", self.ingest.run),
            ("feed sequencer", lambda stop: feed.run_sequencer(pool, stop)),
            ("webhook delivery", self.worker.run),
        ]
        self._tasks = [asyncio.create_task(self._supervise(name, loop), name=name) for name, loop in loops]

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=20)
        for task in self._tasks:
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _supervise(self, name: str, loop: Loop) -> None:
        await supervise(f"gateway: {name}", loop, self._stop)
