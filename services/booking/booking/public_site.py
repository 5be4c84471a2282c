"""What the public routes know of a site without anyone signed in: its dealer group (the tenant
every read and event needs, which no customer's request names) and its booking plan."""

from __future__ import annotations

from uuid import UUID

from booking.domain.site_capacity import SiteCapacity
from booking.domain.site_capacity import stream_id as capacity_stream
from booking.handlers import Booking
from events.envelope import Tenant
from events.errors import NotFound

# The first event of a stream names its tenant; a stream never changes tenant.
_OWNER = "SELECT group_id, site_id FROM events WHERE stream_id = $1 ORDER BY stream_version LIMIT 1"


async def stream_owner(booking: Booking, stream_id: str) -> Tenant | None:
    row = await booking.store.pool.fetchrow(_OWNER, stream_id)
    return None if row is None else Tenant(row["group_id"], row["site_id"])


async def bookable_site(booking: Booking, site_id: UUID) -> tuple[Tenant, SiteCapacity]:
    """A site that takes appointments (its capacity is set); any other id is simply not found,
    whether it is another kind of site or no site at all."""
    tenant = await stream_owner(booking, capacity_stream(site_id))
    if tenant is None:
        raise NotFound(f"no site {site_id} takes appointments here")
    state, _ = await booking.capacity(tenant)
    if state.plan is None:
        raise NotFound(f"no site {site_id} takes appointments here")
    return tenant, state
