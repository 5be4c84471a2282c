"""The catalogue service started on a real PostgreSQL and broker, and the people who call it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from events.clock import ManualClock
from events.identity import ADVISOR, GROUP_ADMIN, SERVICE_MANAGER, Identity
from events.testing.identity import identity_headers

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())
START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = START.astimezone(ZoneInfo("Asia/Shanghai")).date()
TOMORROW = TODAY + timedelta(days=1)
HEADER = "code,model_family,description_zh,description_en,flat_rate_minutes,skill_level\n"


def as_(role: str, group: str = GROUP_A, site: str = SITE) -> dict[str, str]:
    return identity_headers(Identity(f"{role}-1", "Li Lei", group, frozenset({role}), frozenset({site})))


SA, SM, ADMIN = as_(ADVISOR), as_(SERVICE_MANAGER), as_(GROUP_ADMIN)
OTHER_SM = as_(SERVICE_MANAGER, site=OTHER_SITE)
OTHER_GROUP = as_(GROUP_ADMIN, group=GROUP_B)


@dataclass
class Service:
    http: httpx.AsyncClient
    clock: ManualClock
    app: Any

    async def call(
        self, method: str, path: str, headers: dict[str, str], *, site: str = SITE, expect: int = 200, **kwargs: Any
    ) -> Any:
        response = await self.http.request(method, f"/sites/{site}{path}", headers=headers, **kwargs)
        assert response.status_code == expect, response.text
        return response.json()

    async def import_csv(
        self, rows: str, *, scope: str = "group", headers: dict[str, str] = ADMIN, site: str = SITE,
        effective_from: date | None = None, expect: int = 201,
    ) -> Any:  # fmt: skip
        params = {"scope": scope} | ({"effective_from": effective_from.isoformat()} if effective_from else {})
        return await self.call(
            "POST", "/labour-operations/imports", {**headers, "Content-Type": "text/csv"}, site=site,
            params=params, content=(HEADER + rows).encode(), expect=expect,
        )  # fmt: skip

    async def events(self, category: str) -> list[Any]:
        rows = await self.app.state.runtime.pool.fetch(
            "SELECT stream_id, event_type FROM events WHERE stream_id LIKE $1 ORDER BY position", f"{category}-%"
        )
        return [(row["stream_id"], row["event_type"]) for row in rows]
