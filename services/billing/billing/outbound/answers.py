"""What an outside party answered, as the three cases a caller acts on differently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
