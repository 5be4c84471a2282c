"""A live stream of "something changed at this site" for a service's screens, as server-sent events.

A screen that shows a service's read models (the technician's jobs, the parts counter's pick list)
wants to know when to read them again, not a copy of every event: the service's own projections
say so. `Announcing` wraps a projection and sends `NOTIFY <channel>, '<site>'` for each site a page
of events touched, in the transaction that writes the page — so the notification arrives once the
read models a reader asks next already hold the change. `SiteChanges` is one LISTEN connection per
process, fanned out to every open stream of a site, and `stream` is the response: an `event: ready`
when it opens (the reader reads the state now), then an `event: changed` after every change at the
site (a burst of changes while the reader is slow is one), and a comment line keeping an idle
connection open. The stream carries no data: what a reader may see is what the service's own
routes answer it when it reads again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Sequence
from typing import Any

import asyncpg
from fastapi import Request
from fastapi.responses import StreamingResponse

from events.connection import Connection
from events.envelope import Envelope
from events.projection import Projection, apply_page

KEEP_ALIVE_SECONDS = 15.0
READY = "event: ready\ndata: \n\n"
CHANGED = "event: changed\ndata: \n\n"
KEEP_ALIVE = ": still here\n\n"
# Not JSON: the OpenAPI document names the stream's media type, not a view.
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "changes at the site as server-sent events", "content": {"text/event-stream": {}}}
}


class Announcing:
    """`projection`, which also announces on `channel` the sites each page it applied touched:
    each event's own site, and any `also(event)` names (a transfer between two sites shows at both)."""

    def __init__(
        self, projection: Projection, channel: str, also: Callable[[Any], Iterable[str]] | None = None
    ) -> None:
        self.projection = projection
        self.channel = channel
        self.also = also
        # The inner projection's identity: its checkpoint and its tables stay its own.
        self.name = projection.name
        self.handles: Collection[str] = projection.handles
        self.tables: Sequence[str] = projection.tables
        self.views = getattr(projection, "views", ())

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        await self.apply_page(conn, [envelope])

    async def apply_page(self, conn: Connection, envelopes: Sequence[Envelope[Any]]) -> None:
        await apply_page(self.projection, conn, envelopes)
        sites = {envelope.tenant.site_id for envelope in envelopes}
        if self.also is not None:
            sites.update(site for envelope in envelopes for site in self.also(envelope.event))
        for site_id in sorted(sites):
            await conn.execute("SELECT pg_notify($1, $2)", self.channel, site_id)


class SiteChanges:
    """One LISTEN connection per process on `channel` while any stream is open, fanned out to
    every open stream of a site: a tablet's stream costs a queue, not a database connection."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._subscribers: dict[str, set[asyncio.Queue[None]]] = {}
        self._connection: Any = None
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()

    async def subscribe(self, database_url: str, site_id: str) -> asyncio.Queue[None]:
        async with self._lock:
            if self._connection is None or self._connection.is_closed():
                self._connection = await asyncpg.connect(database_url)
                await self._connection.add_listener(self.channel, self._notified)
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._subscribers.setdefault(site_id, set()).add(queue)
        return queue

    def unsubscribe(self, site_id: str, queue: asyncio.Queue[None]) -> None:
        self._subscribers.get(site_id, set()).discard(queue)
        if not any(self._subscribers.values()):
            # No stream open: no connection held (nor left open when the app stops).
            closing = asyncio.get_running_loop().create_task(self._close_if_idle())
            self._closing.add(closing)  # held until done: the loop keeps only a weak reference
            closing.add_done_callback(self._closing.discard)

    async def _close_if_idle(self) -> None:
        async with self._lock:
            if not any(self._subscribers.values()):
                await self.close()

    def _notified(self, _conn: Any, _pid: int, _channel: str, site_id: str) -> None:
        for queue in self._subscribers.get(site_id, ()):
            if queue.empty():  # one pending change is enough: the reader reads the latest state
                queue.put_nowait(None)

    async def stream(self, request: Request, database_url: str, site_id: str) -> StreamingResponse:
        """The site's changes for one reader (whose role and site the route has checked)."""
        queue = await self.subscribe(database_url, site_id)

        async def events() -> AsyncIterator[str]:
            try:
                yield READY
                while True:
                    try:
                        await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
                    except TimeoutError:
                        if await request.is_disconnected():
                            return
                        yield KEEP_ALIVE
                    else:
                        yield CHANGED
            finally:
                self.unsubscribe(site_id, queue)

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
