"""Stand in for another service in a test: record its events in a store of their own and relay
them to the broker, exactly as that service would publish them."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence

from events.contract import Event
from events.database import ensure_database, open_pool
from events.envelope import Metadata, NewEvent
from events.kafka import KafkaSettings
from events.relay import Relay
from events.store import EventStore


class Publisher:
    """One foreign event store (a database of its own on the test server) with its relay."""

    def __init__(self, postgres_url: str, kafka: KafkaSettings) -> None:
        self.postgres_url = postgres_url
        self.kafka = kafka
        self.database = f"t_publisher_{uuid.uuid4().hex[:8]}"

    async def publish(self, metadata: Metadata, *events: tuple[str, Event]) -> None:
        """Append each (stream, event) at the end of its stream, then relay everything pending."""
        pool = await open_pool(await ensure_database(self.postgres_url, self.database))
        try:
            store = EventStore(pool)
            for stream_id, event in events:
                version = len(await store.read_stream(stream_id))
                await store.append(stream_id, version, [NewEvent(event, metadata)])
            relay = Relay(store, self.kafka)
            try:
                await _relay_all(relay, len(events))
            finally:
                await relay.close()
        finally:
            await pool.close()


async def _relay_all(relay: Relay, count: int, timeout: float = 60.0) -> None:
    """Relay until `count` events went out. The log is read only below the server's oldest
    running transaction id, which is cluster-wide: a transaction open in another database of
    the same server (another test's) holds it back for a moment, so an empty round is not the end."""
    deadline = time.monotonic() + timeout
    published = 0
    while published < count:
        sent = await relay.step()
        published += sent
        if not sent:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {published} of {count} events relayed within {timeout}s")
            await asyncio.sleep(0.02)  # polling the log horizon, like the relay itself does


async def publish(
    postgres_url: str, kafka: KafkaSettings, metadata: Metadata, events: Sequence[tuple[str, Event]]
) -> None:
    await Publisher(postgres_url, kafka).publish(metadata, *events)
