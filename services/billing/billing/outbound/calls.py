"""Calls to outside parties made after the transaction that decided them commits.

A durable timer says a call is due (billing's `timers`, fired once, retried with back-off by
scheduling the next). Its handler runs inside the timer runner's transaction, which holds a row
lock: a 10-second HTTP call in there would hold back the server-wide read horizon of every
service on the server (decision 0001). So the handler only records the claim and a watchdog
timer, and hands the call to `after_commit`: a task that waits for the runner's transaction to
end (the timer row's lock), goes on only if the timer is marked fired (committed, not rolled
back), then makes the call and records its answer in a short transaction of its own.

If the process dies between the commit and the answer, the watchdog fires after the lease and
the call is made again; the parties see the same idempotency key (the e-invoice request id, the
settlement list number), so a repeated call never does the work twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg

log = logging.getLogger(__name__)

# How long a call may stay unanswered before the watchdog calls again: well above the HTTP
# timeout, so a slow answer is not raced by a second call.
LEASE = timedelta(seconds=120)


class AfterCommit:
    """The calls in flight in this process (awaited at shutdown so none is cut half-way)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def run(self, pool: asyncpg.Pool, timer_id: str, call: Callable[[], Awaitable[None]]) -> None:
        task = asyncio.get_running_loop().create_task(self._after(pool, timer_id, call), name=f"call {timer_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _after(self, pool: asyncpg.Pool, timer_id: str, call: Callable[[], Awaitable[None]]) -> None:
        try:
            # Blocks on the runner's row lock until its transaction ends; then says how it ended.
            fired = await pool.fetchval(
                "SELECT fired_at IS NOT NULL FROM timers WHERE timer_id = $1 FOR SHARE", timer_id
            )
            if fired:
                await call()
        except Exception:
            log.exception("the call of timer %s failed; its watchdog calls again", timer_id)

    async def drain(self, timeout: float = 15.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
