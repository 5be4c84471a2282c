"""What the dispatcher's, the technician's and the QC inspector's screens read alike: the site's
cars in the workshop (the workshop's board, `GET work-orders`) each with its work order's jobs,
and a repair order's concerns in the customer's own words. Every status, stage and lateness shown
is the API's; the desk only arranges them. No routes of its own (an empty router, as every module
of `desk.screens` has one)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from desk.gateway_api import ApiError
from desk.web import Visit

router = APIRouter()

PAGE = 200  # a site's cars in the workshop at once: far fewer than this
CLOSED_JOBS = ("completed", "withdrawn")


async def cars(visit: Visit, *, stage: str | None = None, include_ready: bool = False) -> list[dict[str, Any]]:
    """The board's rows (late ones first, as the API orders them), each with `order`: its work
    order (jobs, technicians, bays). A car whose work order cannot be read just now keeps its row."""
    params: dict[str, Any] = {"include_ready": str(include_ready).lower(), "limit": PAGE}
    if stage is not None:
        params["stage"] = stage
    rows: list[dict[str, Any]] = await visit.api.get("work-orders", **params)
    orders = await asyncio.gather(*(_order(visit, row["repair_order_id"]) for row in rows))
    return [{**row, "order": order} for row, order in zip(rows, orders, strict=True)]


async def _order(visit: Visit, repair_order_id: str) -> dict[str, Any] | None:
    try:
        order: dict[str, Any] = await visit.api.get(f"work-orders/{repair_order_id}")
    except ApiError:
        return None
    return order


async def concerns(visit: Visit, repair_order_id: str) -> dict[str, Any]:
    """The car's plate and its concerns as the advisor wrote them down, in the customer's own words."""
    try:
        order = await visit.api.get(f"repair-orders/{repair_order_id}")
    except ApiError:
        return {"plate": None, "words": []}
    words = [str(concern["customer_words"]) for concern in order.get("concerns", [])]
    return {"plate": (order.get("vehicle") or {}).get("plate"), "words": words}


def jobs_of(car: dict[str, Any]) -> list[dict[str, Any]]:
    order = car.get("order")
    return list(order["jobs"]) if order else []


def bays(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each bay named on an open job, with the jobs in it (as the work orders record them)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for car in rows:
        for job in jobs_of(car):
            if job["bay"] and job["status"] not in CLOSED_JOBS:
                found.setdefault(job["bay"], []).append({**job, "plate": car["plate"]})
    return [{"bay": bay, "jobs": jobs} for bay, jobs in sorted(found.items())]


def fen_of(text: str) -> int | str:
    """Yuan as typed (`240`, `240.5`, `1,240.50`) in fen, by integer arithmetic; anything else
    as typed, for the API to refuse with its field error next to the input."""
    cleaned = text.strip().replace(",", "").removeprefix("¥")
    whole, dot, cents = cleaned.partition(".")
    if not whole.isdigit() or (dot and not (cents.isdigit() and len(cents) <= 2)):
        return text
    return int(whole) * 100 + int(cents.ljust(2, "0") if cents else 0)
