"""A dealership's people at the gateway, for end-to-end tests: each logs in with the local dev
issuer and speaks plain HTTP to `/api/v1/sites/{site}/...`, like the real front ends do."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from events.kafka import event_type_of
from events.testing import eventually
from events.testing.system import RunningSystem


@contextmanager
def running(services: list[str]) -> Iterator[RunningSystem]:
    """The services and the gateway as real processes, for a whole test module."""
    system = RunningSystem(services)
    try:
        asyncio.run(system.start())
        yield system
    finally:
        system.stop()


@dataclass(frozen=True)
class Person:
    """One user at one site: `await person.post("repair-orders", body)`."""

    gateway: httpx.AsyncClient
    site: str
    headers: dict[str, str]

    def _url(self, path: str) -> str:
        return f"/api/v1/sites/{self.site}/{path}"

    async def get(self, path: str) -> httpx.Response:
        return await self.gateway.get(self._url(path), headers=self.headers)

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.gateway.post(self._url(path), json=body or {}, headers=self.headers)

    async def put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.gateway.put(self._url(path), json=body, headers=self.headers)

    async def ok(self, method: str, path: str, body: dict[str, Any] | None = None, status: int = 0) -> Any:
        """The answer's JSON, after asserting success (`status` when a specific one is expected)."""
        response = await (self.get(path) if method == "GET" else getattr(self, method.lower())(path, body))
        assert (response.status_code == status) if status else response.is_success, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json()

    async def until(self, path: str, condition: Callable[[Any], bool], what: str, timeout: float = 30) -> Any:
        """GET `path` until its JSON answer meets `condition`."""

        async def probe() -> Any:
            response = await self.get(path)
            return response.json() if response.status_code == 200 else None

        return await eventually(
            probe, until=lambda body: body is not None and condition(body), what=what, timeout=timeout
        )


async def login(gateway: httpx.AsyncClient, group: str, site: str, role: str, user: str | None = None) -> Person:
    body = {
        "user_id": user or f"{role}-{site[:4]}",
        "name": "Wang Fang",
        "group_id": group,
        "roles": [role],
        "site_ids": [site],
    }
    response = await gateway.post("/auth/dev-token", json=body)
    assert response.status_code == 200, response.text
    return Person(gateway, site, {"Authorization": f"Bearer {response.json()['access_token']}"})


async def published(system: RunningSystem, service: str, bootstrap_servers: str) -> list[dict[str, Any]]:
    """Every event `service` published so far, read from its topic like any subscriber would:
    `{"type": "reception.RepairOrderSigned", "data": {...}}`, in order per partition."""
    topic = f"e2e{system.run_id}.{service}.events"
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        if not partitions:
            await consumer.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        events: list[dict[str, Any]] = []
        for partition in partitions:
            while await consumer.position(partition) < ends[partition]:
                batch = await consumer.getmany(partition, timeout_ms=1000)
                for record in batch.get(partition, []):
                    headers = {key: value.decode() for key, value in record.headers}
                    events.append({"type": event_type_of(headers), "data": json.loads(record.value or b"{}")})
        return events
    finally:
        await consumer.stop()


def of(events: list[dict[str, Any]], key: str, value: uuid.UUID | str) -> list[str]:
    """The types of the events whose payload has `key` == `value`."""
    return [e["type"] for e in events if e["data"].get(key) == str(value)]


async def published_about(
    system: RunningSystem, service: str, bootstrap_servers: str, key: str, value: str, last: str
) -> list[str]:
    """The types `service` published about `key` == `value`, once `last` is among them (the
    relay publishes shortly after the commit)."""

    async def probe() -> list[str]:
        return of(await published(system, service, bootstrap_servers), key, value)

    return await eventually(probe, until=lambda types: last in types, what=f"{last} on the {service} topic")
