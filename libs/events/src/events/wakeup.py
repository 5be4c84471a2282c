"""Waking the log's readers when events are appended, instead of polling a quiet log.

The relay and the log projectors read the log a page at a time. Polling it every 20-50 ms cost
a resting system most of the machine before a single command (bench/results/design-notes.md).
Now an append wakes them: at once in the same
process, and in the service's other replicas through PostgreSQL's LISTEN/NOTIFY.

The events a wake-up announced may not be readable yet: the appending transaction may not have
committed, or an older transaction still open holds the log's horizon below them. So a reader
that has not yet read up to the newest transaction announced looks again, from 5 ms doubling
up to a second. One that has waits for the next wake-up; it looks once a second anyway, which
bounds what a missed notification (a listener connection dropped while the database
restarted) or an append by a process that does not announce costs.

The NOTIFY is sent after the append, on its own connection and at most once per 10 ms. Inside
the appending transaction it would serialise commits: PostgreSQL holds one lock, for the whole
server, from a notifying transaction's pre-commit to the end of its commit, WAL flush included.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from events.connection import Connection, per_pool

log = logging.getLogger(__name__)

CHANNEL = "events_appended"
QUICKEST, SLOWEST = 0.005, 1.0  # a reader's back-off when it finds nothing, in seconds
_NOTIFY_EVERY = 0.010


class LogSignal:
    """Appends to one database, as seen by this process: `generation` counts them (appends here
    and notifications from other processes), `newest_tx` is the newest transaction announced to
    have appended, and `wait` sleeps until the next one."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.generation = 0
        self.newest_tx = 0
        self._woken = asyncio.Event()
        self._notifying: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while another process's appends can wake this one
        # Sent with this process's notifications, which come back to its own listener: its
        # readers were woken by the append itself, and a second round would find nothing.
        self._token = uuid.uuid4().hex

    @classmethod
    def of(cls, pool: asyncpg.Pool) -> LogSignal:
        """The signal of the database behind `pool`, one for every store on it."""
        return per_pool(_BY_POOL, pool, cls)

    def appended(self, tx_id: int) -> None:
        """Transaction `tx_id` appended events here (maybe not yet committed): wake this process's
        readers and, if this process listens for the other replicas' appends (they listen for
        its too), soon theirs."""
        self.newest_tx = max(self.newest_tx, tx_id)
        self._wake()
        if self.listening.is_set() and self._notifying is None:
            self._notifying = asyncio.get_running_loop().create_task(self._notify())

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        token, _, tx_id = str(payload).partition(" ")
        if token == self._token:
            return
        if tx_id.isdigit():
            self.newest_tx = max(self.newest_tx, int(tx_id))
        self._wake()

    def _wake(self) -> None:
        self.generation += 1
        woken, self._woken = self._woken, asyncio.Event()
        woken.set()

    async def _notify(self) -> None:
        try:
            await asyncio.sleep(_NOTIFY_EVERY)  # one notification for the appends of this moment
            await self.pool.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{self._token} {self.newest_tx}")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError) as error:
            log.warning("could not notify other replicas of an append: %r", error)  # they poll within a second
        finally:
            self._notifying = None

    async def wait(self, stop: asyncio.Event, seen: int, timeout: float) -> bool:
        """Sleep until an append after generation `seen`, `stop`, or `timeout`; True unless timed out."""
        if self.generation != seen or stop.is_set():
            return True
        woken = asyncio.ensure_future(self._woken.wait())
        stopped = asyncio.ensure_future(stop.wait())
        done, pending = await asyncio.wait({woken, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return bool(done)

    async def listen(self, stop: asyncio.Event) -> None:
        """Wake on other processes' appends until `stop` (a supervised loop: a listener
        connection lost with the database is replaced when the loop is started again)."""
        conn = await self.pool.acquire()
        try:
            await conn.add_listener(CHANNEL, self._notified)
            self.listening.set()
            while not stop.is_set():
                await _idle(stop, conn)
        finally:
            self.listening.clear()
            if not conn.is_closed():
                await conn.remove_listener(CHANNEL, self._notified)
            await self.pool.release(conn)


async def _idle(stop: asyncio.Event, conn: Connection) -> None:
    """Wait for `stop`, checking every 30 s that the listener connection is still alive (a dead
    one raises, and the supervisor opens a new one)."""
    try:
        await asyncio.wait_for(stop.wait(), 30.0)
    except TimeoutError:
        await conn.fetchval("SELECT 1")


async def follow(
    signal: LogSignal,
    stop: asyncio.Event,
    step: Callable[[], Awaitable[int]],
    *,
    page_size: int,
    read_to: Callable[[], int],
) -> None:
    """Call `step` (read and handle the next page, return how many events it read) until `stop`:
    again at once after a full page, and after an append; while the newest transaction announced
    is past `read_to` (the transaction id of the last event read), after the back-off; else
    after a second."""
    delay = QUICKEST
    while not stop.is_set():
        seen = signal.generation
        read = await step()
        if read >= page_size:
            delay = QUICKEST
            continue
        if read_to() >= signal.newest_tx:  # nothing announced is left to read
            await signal.wait(stop, seen, SLOWEST)
            delay = QUICKEST
            continue
        if read:
            delay = QUICKEST
        woken = await signal.wait(stop, seen, delay)
        delay = QUICKEST if woken else min(delay * 2, SLOWEST)


_BY_POOL: dict[int, LogSignal] = {}
