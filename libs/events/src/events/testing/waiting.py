"""Waiting on a condition, never on a guess."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool] = bool,
    timeout: float = 20.0,
    interval: float = 0.02,
    what: str = "condition",
) -> T:
    """Call `probe` until `until(result)` holds; return that result, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s; last value: {result!r}")
        await asyncio.sleep(interval)  # polling interval of a condition wait, not a guess


async def consumers_assigned(app: Any, timeout: float = 90.0) -> None:
    """Wait until every consumer of a started service app owns partitions, so that an event a
    test publishes next is read (a group still joining would read it only after the join)."""
    runtime = app.state.runtime
    await eventually(
        runtime.readiness,
        until=lambda ready: all(ready["consumers"].values()),
        timeout=timeout,
        what=f"{runtime.name}'s consumers assigned",
    )


async def log_settled(pool: Any, timeout: float = 60.0) -> None:
    """Wait until every event appended so far is below the log horizon, i.e. readable by
    `read_log`. The horizon is server-wide: another database's open transaction (another test
    suite's) holds it back for a moment, so a test that reads the log right after writing waits."""
    await eventually(
        lambda: pool.fetchval(
            "SELECT coalesce(max(tx_id) < pg_snapshot_xmin(pg_current_snapshot()), true) FROM events"
        ),
        timeout=timeout,
        what="the log horizon past the last append",
    )
