"""The time zone of each site, learnt from booking's capacity plan (`booking.CapacitySet`): a
change takes effect from a date at the site, so "today" is the site's today. A site booking has
not planned yet is in `DEFAULT_TIME_ZONE` (the dealerships this serves are in China)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from events.catalog import booking
from events.connection import Connection
from events.envelope import Envelope, Tenant

DEFAULT_TIME_ZONE = "Asia/Shanghai"


class SiteZones:
    name = "catalogue.site_zones"
    tables = ("catalogue_site_zones",)
    handles = frozenset({booking.CapacitySet.event_type})

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event: booking.CapacitySet = envelope.event
        await conn.execute(
            """INSERT INTO catalogue_site_zones (group_id, site_id, time_zone) VALUES ($1, $2, $3)
               ON CONFLICT (group_id, site_id) DO UPDATE SET time_zone = EXCLUDED.time_zone""",
            envelope.tenant.group_id,
            envelope.tenant.site_id,
            event.timezone,
        )


async def site_today(pool: asyncpg.Pool, tenant: Tenant, now: datetime) -> date:
    """Today's date at the tenant's site."""
    zone = await pool.fetchval(
        "SELECT time_zone FROM catalogue_site_zones WHERE group_id = $1 AND site_id = $2",
        tenant.group_id,
        tenant.site_id,
    )
    return now.astimezone(ZoneInfo(zone or DEFAULT_TIME_ZONE)).date()
