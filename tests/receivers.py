"""A pytest plugin (tests/conftest.py): `receivers`, the outside parties' stand-ins for one test
module (`standins.running`: the SMS gateway, the SMTP server, WeChat, the e-invoice and e-record
platforms), their base URL; point the services at them with `standins.messages_env(receivers)`
or `standins.billing_env(receivers)`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import standins
from events.local.ports import free_port


@pytest.fixture(scope="module")
def receivers() -> Iterator[str]:
    with standins.running(free_port()) as url:
        yield url


async def received(receivers: str, to: str | None = None) -> list[dict[str, Any]]:
    """What the stand-ins' receivers (SMS, e-mail, WeChat) were sent, to `to` or to anyone."""
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{receivers}/messages/admin/received", params={"to": to} if to else {})
    answer.raise_for_status()
    rows: list[dict[str, Any]] = answer.json()
    return rows
