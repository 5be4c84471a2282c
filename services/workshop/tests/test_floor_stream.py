"""The workshop floor's live stream over HTTP, on a real PostgreSQL and broker: only the floor's
people at the site may follow it, and a change of the site's work orders is announced once the
work orders' read model holds it (what the technician's tablet reads again on it); so is a change
of an inspection, once the inspections' read model holds it (the inspection screen's list)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from test_api import QC, SITE, TECH, Workshop, as_, workshop
from test_api_floor import car, dispatch

from events.identity import ADVISOR, CASHIER, PARTS_CLERK, SERVICE_MANAGER, TECHNICIAN
from events.site_changes import SiteChanges
from events.testing import eventually

__all__ = ["workshop"]  # the fixture, shared with test_api

STREAM = f"/sites/{SITE}/work-orders/stream"
T = TypeVar("T")


async def announced_until(queue: asyncio.Queue[None], read: Callable[[], Awaitable[T]], expected: T) -> None:
    """Each announcement on `queue`, until what `read` reads after one is `expected`."""
    while True:
        await queue.get()
        if await read() == expected:
            return


async def stages(workshop: Workshop, path: str) -> list[str]:
    """The car's stage on the site's floor, as the technician's tablet reads it."""
    board = await workshop.http.get(f"/sites/{SITE}/work-orders", headers=TECH)
    return [car["stage"] for car in board.json() if path.endswith(car["repair_order_id"])]


async def test_only_the_floors_people_at_the_site_may_follow_it(workshop: Workshop) -> None:
    for role in (ADVISOR, CASHIER, PARTS_CLERK):
        refused = await workshop.http.get(STREAM, headers={**as_(role), "Accept": "text/event-stream"})
        assert refused.status_code == 403, (role, refused.text)
        assert refused.json()["error"]["code"] == "forbidden"
    other_site = str(uuid.uuid4())
    for headers in (as_(TECHNICIAN, "tech-1", site=other_site), as_(SERVICE_MANAGER, site=other_site)):
        refused = await workshop.http.get(STREAM, headers={**headers, "Accept": "text/event-stream"})
        assert refused.status_code == 403, refused.text
    elsewhere = await workshop.http.get(f"/sites/{other_site}/work-orders/stream", headers=TECH)
    assert elsewhere.status_code == 403, "a technician's own role does not open another site's stream"


async def test_a_dispatch_is_announced_to_the_sites_stream_once_the_floor_shows_it(workshop: Workshop) -> None:
    path, job = await car(workshop)
    # The car on the floor first: what the read model applies before the dispatch is not the change.
    await eventually(lambda: stages(workshop, path), until=lambda found: found == ["waiting_dispatch"])
    changes: SiteChanges = workshop.app.state.floor_changes
    runtime = workshop.app.state.runtime
    mine = await changes.subscribe(runtime.database_url, SITE)
    another = await changes.subscribe(runtime.database_url, str(uuid.uuid4()))
    try:
        assert (await dispatch(workshop, path, job, "bay-1", technician="tech-1")).status_code == 200
        # Announced once the read model's page is written: after some announcement (an earlier
        # page of the car's own events may come first), the technician's list shows it.
        await asyncio.wait_for(announced_until(mine, lambda: stages(workshop, path), ["dispatched"]), timeout=10)
        assert (await workshop.http.get(f"{path}", headers=QC)).json()["jobs"][0]["technician_id"] == "tech-1"
        assert another.empty(), "another site's stream heard nothing of this site's floor"
    finally:
        changes.unsubscribe(SITE, mine)


async def graded(workshop: Workshop, ro: str, item_id: str) -> str | None:
    """The item's grade in the inspections' read model."""
    found: str | None = await workshop.app.state.runtime.pool.fetchval(
        "SELECT grade FROM inspection_items WHERE repair_order_id = $1 AND item_id = $2", uuid.UUID(ro), item_id
    )
    return found


async def test_an_inspection_graded_is_announced_to_the_sites_stream_once_the_inspections_hold_it(
    workshop: Workshop,
) -> None:
    path, _ = await car(workshop)
    ro = path.rsplit("/", 1)[1]
    await eventually(lambda: stages(workshop, path), until=lambda found: found == ["waiting_dispatch"])
    assert (await workshop.http.post(f"{path}/inspection", headers=TECH)).status_code == 201
    opened = "SELECT count(*) FROM inspections WHERE repair_order_id = $1"
    pool = workshop.app.state.runtime.pool
    await eventually(
        lambda: pool.fetchval(opened, uuid.UUID(ro)), until=lambda n: n == 1, what="the inspection in its read model"
    )
    changes: SiteChanges = workshop.app.state.floor_changes
    mine = await changes.subscribe(workshop.app.state.runtime.database_url, SITE)
    try:
        horn = await workshop.http.put(f"{path}/inspection/items/horn", json={"grade": "red"}, headers=TECH)
        assert horn.status_code == 200, horn.text
        # Only an inspection's event: the work orders' read model has nothing to announce.
        red: str | None = "red"
        await asyncio.wait_for(announced_until(mine, lambda: graded(workshop, ro, "horn"), red), timeout=10)
    finally:
        changes.unsubscribe(SITE, mine)
