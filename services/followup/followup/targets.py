"""The cars followup knows at a site, for a campaign's or recall's targets: each VIN with its
last visit (the customer file's visits read model)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from events.envelope import Tenant
from followup.domain.campaign_targets import TargetSelection

_LAST_VISITS = """
    WITH last AS (
        SELECT DISTINCT ON (v.vin) v.vin, v.file_id, v.plate, v.model, v.mileage_km, v.visited_at
        FROM customer_file_visits v JOIN customer_files f ON f.file_id = v.file_id
        WHERE f.group_id = $1 AND f.site_id = $2
        ORDER BY v.vin, v.visited_at DESC
    )
    SELECT vin, file_id, plate, model, mileage_km, visited_at AS last_visit_at FROM last"""


async def selected(pool: asyncpg.Pool, tenant: Tenant, selection: TargetSelection) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""{_LAST_VISITS}
            WHERE ($3::text IS NULL OR model ILIKE $3)
              AND ($4::text IS NULL OR vin >= $4) AND ($5::text IS NULL OR vin <= $5)
              AND ($6::int IS NULL OR mileage_km >= $6) AND ($7::int IS NULL OR mileage_km <= $7)
              AND ($8::date IS NULL OR visited_at < $8) AND ($9::date IS NULL OR visited_at >= $9)
            ORDER BY vin""",
        tenant.group_id,
        tenant.site_id,
        selection.model,
        selection.vin_from,
        selection.vin_to,
        selection.min_mileage_km,
        selection.max_mileage_km,
        selection.last_visit_before,
        selection.last_visit_after,
    )
    return rows


async def of_vins(pool: asyncpg.Pool, tenant: Tenant, vins: Sequence[str]) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        f"{_LAST_VISITS} WHERE vin = ANY($3::text[]) ORDER BY vin", tenant.group_id, tenant.site_id, list(vins)
    )
    return rows
