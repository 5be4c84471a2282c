"""Shared pieces of the backbone's Kafka tests: a recording consumer handler and runners."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from events.catalog.testing import CounterPoisoned
from events.connection import Connection
from events.envelope import Envelope

Runner = Callable[[asyncio.Event], Coroutine[Any, Any, None]]

EFFECTS_TABLE = """CREATE TABLE IF NOT EXISTS effects (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id uuid NOT NULL, stream_id text NOT NULL, version integer NOT NULL)"""


async def record_effect(conn: Connection, envelope: Envelope[Any]) -> None:
    """The test consumer's effect: one row per handled event (duplicates would show as two)."""
    if isinstance(envelope.event, CounterPoisoned):
        raise RuntimeError(f"cannot handle poisoned counter {envelope.event.counter_id}")
    await conn.execute(
        "INSERT INTO effects (event_id, stream_id, version) VALUES ($1, $2, $3)",
        envelope.event_id,
        envelope.stream_id,
        envelope.stream_version,
    )


@asynccontextmanager
async def running(
    *runners: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
) -> AsyncIterator[asyncio.Event]:
    """Run background loops for the body of a `with`, then stop them and surface their errors."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run(stop)) for run in runners]
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
