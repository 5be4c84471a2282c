"""The start page after sign-in: for an advisor, today's arrivals and their cars in for service
(the advisor board, theirs only), live; for the board's other readers the whole site's; for
everyone else a short summary with their screens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from desk.navigation import BY_KEY, may_open
from desk.web import Visit, screen
from events.identity import ADVISOR

router = APIRouter()
MY_DAY = screen("my_day")


@router.get("/", name="my_day")
async def my_day(visit: Visit = MY_DAY) -> HTMLResponse:
    return visit.render("my_day.html", **await _arrivals(visit))


@router.get("/my-day/arrivals")
async def arrivals(visit: Visit = MY_DAY) -> HTMLResponse:
    """The live region alone (htmx swaps it in when the board changes)."""
    return visit.render("my_day_arrivals.html", **await _arrivals(visit))


async def _arrivals(visit: Visit) -> dict[str, Any]:
    roles = visit.session.person.roles
    if visit.all_sites or not may_open("board", roles):
        return {"board": None, "time_zone": await visit.time_zone()}
    params = {"advisor": visit.session.person.user_id} if roles == {ADVISOR} else {}
    board = await visit.api.get(BY_KEY["board"].reads.removeprefix("GET "), **params)
    return {"board": board, "time_zone": board["time_zone"]}
