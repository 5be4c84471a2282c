"""Calls to parties outside the system (an e-invoice provider, an e-record platform, an SMS or
mail provider), shared by the services that make them:

- `Answer`: what a party answered, as the three cases a caller acts on differently (done;
  refused with its reason, not asked again; unavailable, asked again later);
- `Backoff`: when to ask again after the party was unavailable (exponential, jittered, capped);
- `AfterCommit`: the call made after the transaction that decided it commits.

A durable timer says a call is due (fired once, retried with back-off by scheduling the next).
Its handler runs inside the timer runner's transaction, which holds a row lock: a 10-second HTTP
call in there would hold back the server-wide read horizon of every service on the server
(decision 0001). So the handler only records the claim and a watchdog timer, and hands the call
to `AfterCommit.run`: a task that waits for the runner's transaction to end (the timer row's
lock), goes on only if the timer is marked fired (committed, not rolled back), then makes the
call and records its answer in a short transaction of its own. If the process dies between the
commit and the answer, the watchdog fires after the lease and the call is made again; the party
sees the same idempotency key, so a repeated call never does the work twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx


@dataclass(frozen=True)
class Done:
    """The party did it; `details` is what it returned (the e-invoice number, the record id)."""

    details: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    """The party refused, with its reason: asking again unchanged would be refused again."""

    reason: str


@dataclass(frozen=True)
class Unavailable:
    """The party could not be asked or did not answer (down, unreachable, too slow): ask again later."""

    reason: str


Answer = Done | Refused | Unavailable


def reason_of(response: httpx.Response) -> str:
    """The party's own words for a refusal or an outage (its `reason`), else the status and body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    reason = body.get("reason") if isinstance(body, dict) else None
    return str(reason) if reason else f"HTTP {response.status_code}: {response.text[:200]}"


async def post(client: httpx.AsyncClient | None, timeout: float, url: str, **kwargs: Any) -> httpx.Response:
    """POST with the given client, or with one of its own for this call."""
    if client is not None:
        return await client.post(url, timeout=timeout, **kwargs)
    async with httpx.AsyncClient(timeout=timeout) as own:
        return await own.post(url, **kwargs)


@dataclass(frozen=True)
class Backoff:
    first_delay: float = 10.0  # seconds before the second attempt
    max_delay: float = 3600.0  # a platform down for a day is asked hourly, never given up on
    jitter: float = 0.5  # each delay is scaled by a factor in [1 - jitter/2, 1 + jitter/2)

    def delay(self, failed_attempts: int, random_fraction: float) -> float:
        """Seconds to wait after the `failed_attempts`-th failure; `random_fraction` in [0, 1)."""
        base = min(self.max_delay, self.first_delay * 2.0 ** max(failed_attempts - 1, 0))
        return min(self.max_delay, base * (1 - self.jitter / 2 + self.jitter * random_fraction))

    def next_attempt(self, now: datetime, failed_attempts: int, random_fraction: float) -> datetime:
        return now + timedelta(seconds=self.delay(failed_attempts, random_fraction))


BACKOFF = Backoff()


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
