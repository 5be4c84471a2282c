"""`dealerflow replay`: republish a service's log to Kafka from a position, by moving the outbox
relay's checkpoint (`log_checkpoints`) back. The relay, running or next to start, publishes
again everything after it; subscribers' inboxes and stream versions make the repeats harmless
(docs/decisions/0002-log-as-outbox.md). A running relay finds the moved checkpoint on its next
round, or within its cluster check (5 s) when idle, and never writes over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from events.envelope import LogPosition
from events.relay import Relay
from events.store import START


class BadPosition(Exception):
    """A `--from` that names no event, or one the relay has not published yet."""


@dataclass(frozen=True)
class ReplayPlan:
    """What a replay would do: the relay's checkpoint now and after, and what it republishes."""

    reader: str
    checkpoint: LogPosition
    moved_to: LogPosition
    first_position: int | None  # the first event republished (None: nothing)
    first_recorded_at: datetime | None
    events: int


async def plan(relay: Relay, start: str) -> ReplayPlan:
    """`start`: `start` (the whole log) or an event's `position`, the first one to republish."""
    pool = relay.store.pool
    checkpoint = await relay.checkpoint()
    moved_to = START if start == "start" else await _just_before(pool, _position(start))
    if moved_to > checkpoint:
        raise BadPosition(
            f"position {start} comes after the relay's checkpoint {tuple(checkpoint)}: "
            "moving it forward would skip events that were never published"
        )
    first = await pool.fetchrow(
        """SELECT position, recorded_at FROM events WHERE (tx_id, position) > ($1::text::xid8, $2)
           ORDER BY tx_id, position LIMIT 1""",
        str(moved_to.tx_id),
        moved_to.position,
    )
    count = await pool.fetchval(
        """SELECT count(*) FROM events WHERE (tx_id, position) > ($1::text::xid8, $2)
           AND tx_id < pg_snapshot_xmin(pg_current_snapshot())""",
        str(moved_to.tx_id),
        moved_to.position,
    )
    return ReplayPlan(
        relay.name,
        checkpoint,
        moved_to,
        first["position"] if first else None,
        first["recorded_at"] if first else None,
        count,
    )


async def replay(relay: Relay, replay_plan: ReplayPlan) -> None:
    """Move the relay's checkpoint back as planned."""
    await relay.store.pool.execute(
        """INSERT INTO log_checkpoints (reader, tx_id, position) VALUES ($1, $2, $3)
           ON CONFLICT (reader) DO UPDATE SET tx_id = $2, position = $3, updated_at = now()""",
        replay_plan.reader,
        replay_plan.moved_to.tx_id,
        replay_plan.moved_to.position,
    )


def _position(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BadPosition(f"--from takes `start` or an event's log position (a number), not {text!r}") from None


async def _just_before(pool: asyncpg.Pool, position: int) -> LogPosition:
    """The log position right before the event at `position`, in log order."""
    event = await pool.fetchrow("SELECT tx_id::text::bigint AS tx_id FROM events WHERE position = $1", position)
    if event is None:
        raise BadPosition(f"no event at position {position}")
    before = await pool.fetchrow(
        """SELECT tx_id::text::bigint AS tx_id, position FROM events
           WHERE (tx_id, position) < ($1::text::xid8, $2) ORDER BY tx_id DESC, position DESC LIMIT 1""",
        str(event["tx_id"]),
        position,
    )
    return LogPosition(before["tx_id"], before["position"]) if before else START
