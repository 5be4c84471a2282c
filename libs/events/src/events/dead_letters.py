"""Dead letters for the people who fix them: list a service's letters and re-drive one after
the fix, over HTTP (every service mounts this router; the gateway routes
`/api/v1/ops/{service}/dead-letters` to it).

Only a dealer group's administrator, and only the letters of that group's own events (the
group rides in each record's `ce_groupid` header): one group's failures say nothing about
another's business. A re-driven letter is handled in one transaction with its inbox row, like
any record, so re-driving twice has one effect.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from events.consumer import Consumer
from events.errors import DomainError, NotFound
from events.http import CurrentIdentity
from events.identity import GROUP_ADMIN, Forbidden, Identity

router = APIRouter(prefix="/ops/dead-letters", tags=["operations"])


class DeadLetter(BaseModel):
    dead_letter_id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None
    error: str
    attempts: int
    failed_at: datetime
    redriven_at: datetime | None


class StillFailing(DomainError):
    code = "still_failing"


_COLUMNS = """id, consumer, topic, partition, "offset", event_id::text, event_type, error, attempts,
              failed_at, redriven_at"""


@router.get("", response_model=list[DeadLetter])
async def list_dead_letters(
    request: Request,
    identity: CurrentIdentity,
    consumer: str | None = None,
    open_only: bool = Query(True, alias="open"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """The group's dead letters, newest first; `open=false` includes those already re-driven."""
    _require_admin(identity)
    return await letters(request.app.state.runtime.pool, identity.group_id, consumer, open_only, limit)


async def letters(
    pool: Any, group_id: str | None, consumer: str | None = None, open_only: bool = True, limit: int = 100
) -> list[dict[str, Any]]:
    """Dead letters, newest first: of one dealer group's events, or (`group_id` None: the
    operator's `dealerflow dead-letters`) of every group."""
    rows = await pool.fetch(
        f"""SELECT {_COLUMNS} FROM dead_letters
            WHERE ($1::text IS NULL OR headers->>'ce_groupid' = $1) AND ($2::text IS NULL OR consumer = $2)
              AND (NOT $3 OR redriven_at IS NULL)
            ORDER BY id DESC LIMIT $4""",
        group_id,
        consumer,
        open_only,
        limit,
    )
    return [_letter(row) for row in rows]


@router.post("/{dead_letter_id}/redrive", response_model=DeadLetter)
async def redrive(dead_letter_id: int, request: Request, identity: CurrentIdentity) -> dict[str, Any]:
    """Handle the letter's record again (after the fix). 409 `still_failing` if it fails again:
    the letter stays open with nothing written."""
    _require_admin(identity)
    return await redrive_letter(request.app.state.runtime, dead_letter_id, identity.group_id)


async def redrive_letter(runtime: Any, dead_letter_id: int, group_id: str | None) -> dict[str, Any]:
    """Re-drive one letter (of `group_id`'s events; None: any group's) unless it was already;
    `NotFound`, or `StillFailing` with the letter left open."""
    row = await runtime.pool.fetchrow(
        f"""SELECT {_COLUMNS} FROM dead_letters
            WHERE id = $1 AND ($2::text IS NULL OR headers->>'ce_groupid' = $2)""",
        dead_letter_id,
        group_id,
    )
    if row is None:
        raise NotFound(f"no dead letter {dead_letter_id}")
    if row["redriven_at"] is None:
        consumer = _consumer(runtime, row["consumer"])
        try:
            await consumer.redrive(dead_letter_id)
        except Exception as error:  # whatever the handler raises, the letter stays open
            raise StillFailing(f"the record still fails: {type(error).__name__}: {error}") from error
        row = await runtime.pool.fetchrow(f"SELECT {_COLUMNS} FROM dead_letters WHERE id = $1", dead_letter_id)
    return _letter(row)


def _require_admin(identity: Identity) -> None:
    if GROUP_ADMIN not in identity.roles:
        raise Forbidden("dead letters are for the dealer group's administrator")


def _consumer(runtime: Any, name: str) -> Consumer:
    consumers: list[Consumer] = [*runtime.consumers]
    consumers += [p.consumer for p in runtime.projectors if getattr(p, "consumer", None) is not None]
    for consumer in consumers:
        if consumer.name == name:
            return consumer
    raise StillFailing(f"consumer {name} does not run in this process (an old projection generation?)")


def _letter(row: Any) -> dict[str, Any]:
    letter = dict(row)
    letter["dead_letter_id"] = letter.pop("id")
    return letter
