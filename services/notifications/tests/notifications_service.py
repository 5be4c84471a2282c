"""The notifications service on a real PostgreSQL and broker, serving on a real port (the
providers' delivery reports come back over HTTP), sending to the real local receivers
(`standins.running`: SMS, SMTP, WeChat), with other services' events published as they would be."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvicorn

from events.clock import ManualClock
from events.contract import Event
from events.database import ensure_database, open_pool
from events.envelope import Metadata, Tenant
from events.identity import Identity
from events.kafka import KafkaSettings
from events.local.ports import free_port, wait_for_port
from events.relay import Relay
from events.store import EventStore
from events.testing import consumers_assigned, eventually
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher, _relay_all
from notifications.app import create_app
from notifications.outbound.settings import ProviderSettings

GROUP, OTHER_GROUP = str(uuid.uuid4()), str(uuid.uuid4())
SITE = str(uuid.uuid4())
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday morning


def as_(role: str, group: str = GROUP) -> dict[str, str]:
    return identity_headers(Identity(f"{role}-1", "Zhang Min", group, frozenset({role}), frozenset({SITE})))


@dataclass
class Receivers:
    """The stand-ins' receivers, read over their own HTTP admin API."""

    url: str

    async def received(self, to: str | None = None) -> list[dict[str, Any]]:
        async with httpx.AsyncClient() as client:
            answer: list[dict[str, Any]] = (
                await client.get(f"{self.url}/messages/admin/received", params={"to": to} if to else {})
            ).json()
        return answer

    async def arrived(self, to: str, count: int = 1, status: str | None = None) -> list[dict[str, Any]]:
        def done(rows: list[dict[str, Any]]) -> bool:
            return len(rows) >= count and (status is None or all(r["status"] == status for r in rows))

        return await eventually(lambda: self.received(to), until=done, what=f"{count} message(s) to {to}")

    async def fail_next(self, channel: str, mode: str, count: int = 1) -> None:
        async with httpx.AsyncClient() as client:
            plan = {"channel": channel, "count": count, "mode": mode}
            (await client.post(f"{self.url}/messages/admin/failures", json=plan)).raise_for_status()

    async def smtp_port(self) -> int:
        async with httpx.AsyncClient() as client:
            return int((await client.get(f"{self.url}/mail/admin/smtp")).json()["port"])


def provider_settings(standins_url: str, smtp_port: int, public_url: str) -> ProviderSettings:
    return ProviderSettings(
        sms_url=f"{standins_url}/sms/api/v1",
        wechat_url=f"{standins_url}/wechat",
        smtp_port=smtp_port,
        notifications_public_url=public_url,
        outbound_timeout_seconds=5,
    )


@dataclass
class Service:
    http: httpx.AsyncClient
    clock: ManualClock
    app: Any
    publisher: Publisher
    receivers: Receivers

    async def publish(self, *events: tuple[str, Event], site: str = SITE, group: str = GROUP) -> None:
        await self.publisher.publish(Metadata(Tenant(group, site), "someone", str(uuid.uuid4())), *events)

    async def redeliver_everything(self, count: int) -> None:
        """Publish the other services' events again with their ids, as a relay that died between
        publishing and recording its checkpoint does."""
        pool = await open_pool(await ensure_database(self.publisher.postgres_url, self.publisher.database))
        try:
            await pool.execute("DELETE FROM log_checkpoints")
            relay = Relay(EventStore(pool), self.publisher.kafka)
            try:
                await _relay_all(relay, count)
            finally:
                await relay.close()
        finally:
            await pool.close()

    async def messages(self, customer_id: str, until: Any = bool, headers: dict[str, str] | None = None) -> Any:
        async def probe() -> list[dict[str, Any]]:
            answer = await self.http.get(
                f"/sites/{SITE}/messages", params={"customer_id": customer_id}, headers=headers or as_("cs_agent")
            )
            assert answer.status_code == 200, answer.text
            rows: list[dict[str, Any]] = answer.json()
            return rows

        return await eventually(probe, until=until, what=f"the messages of {customer_id}")

    async def learnt(self, key: str) -> None:
        """Wait until the contact a trigger will look up (`ro:<id>`, `appointment:<id>`) is known
        (a test that moves the clock on would otherwise end a trigger's wait for it)."""
        pool = self.app.state.runtime.pool

        async def known() -> int:
            found: int = await pool.fetchval("SELECT count(*) FROM contacts WHERE key = $1", key)
            return found

        await eventually(known, what=f"the contact {key}")

    async def waiting(self, key: str) -> uuid.UUID:
        """The trigger waiting for the contact `key` (`notifications.waiting`), once it waits."""
        pool = self.app.state.runtime.pool

        async def parked() -> uuid.UUID | None:
            found: uuid.UUID | None = await pool.fetchval(
                "SELECT event_id FROM waiting_triggers WHERE $1 = ANY(keys)", key
            )
            return found

        found = await eventually(parked, until=lambda found: found is not None, what=f"a trigger waiting for {key}")
        assert found is not None
        return found

    async def recorded(self, message_id: str) -> list[str]:
        history = await self.app.state.runtime.store.read_stream(f"message-{message_id}")
        return [e.event.event_type for e in history]


@asynccontextmanager
async def running(database: str, kafka: KafkaSettings, postgres_url: str, standins_url: str) -> AsyncIterator[Service]:
    port = free_port()
    receivers = Receivers(standins_url)
    clock = ManualClock(START)
    settings = provider_settings(standins_url, await receivers.smtp_port(), f"http://127.0.0.1:{port}")
    app = create_app(clock=clock, database_url=database, kafka=kafka, providers=settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        await asyncio.to_thread(wait_for_port, port, 60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await consumers_assigned(app)
            yield Service(http, clock, app, Publisher(postgres_url, kafka), receivers)
    finally:
        server.should_exit = True
        await task
