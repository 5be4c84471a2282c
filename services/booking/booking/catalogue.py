"""Booking's side of the catalogue (issue 19; docs/flow.md "Booking from a service menu"): what
the booker picked from it, the quote booking asks for, and the requested jobs that quote becomes.

The catalogue's quote (`POST /sites/{s}/quotes`, spec 19) is asked through `events.peers` with
the booker's own identity, so the catalogue applies its own tenancy and roles. Booking reads
only the work from it — operations, flat-rate minutes, parts — never the prices: an
appointment promises workshop time, the estimate at reception prices the work on the day.
`jobs_from_quote` is pure; `quoted_jobs` and `quoted_minutes` are the one call each makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError

from events.catalog.booking_values import RequestedJob, RequestedPart
from events.errors import DomainError
from events.identity import Identity
from events.peers import Peers, PeerUnavailable

# The pay type booking quotes with: the flat-rate minutes of an operation are the same for every
# pay type, and booking keeps no price.
QUOTE_PAY_TYPE = "CUSTOMER_PAY"


class NoFlatRateTime(DomainError):
    """The catalogue gives an operation no flat-rate time: booking would hold no workshop time for it."""

    code = "no_flat_rate_time"


@dataclass(frozen=True)
class CataloguePick:
    """What the booker picked from the catalogue: a service menu and/or labour operations, for
    the car's model family (the vehicle's `model`, as the catalogue's rows name it)."""

    model_family: str
    menu_id: str | None
    labour_operations: tuple[str, ...]


def menu_pick(menu_id: str, model_family: str | None) -> CataloguePick:
    """A service menu for a car (free slots for its minutes): 422 without the car's model family."""
    if model_family is None:
        error = {"loc": ("query", "model_family"), "msg": "a menu's minutes depend on the model", "type": "missing"}
        raise RequestValidationError([error])
    return CataloguePick(model_family, menu_id, ())


def quote_body(pick: CataloguePick) -> dict[str, Any]:
    body: dict[str, Any] = {"model_family": pick.model_family, "pay_type": QUOTE_PAY_TYPE}
    if pick.menu_id is not None:
        body["menu_id"] = pick.menu_id
    if pick.labour_operations:
        body["labour_operations"] = list(pick.labour_operations)
    return body


class _Read(BaseModel):
    # The quote carries prices and versions booking does not read: tolerated, not required.
    model_config = ConfigDict(extra="ignore")


class _QuotedPart(_Read):
    part_number: str
    description: str = ""
    quantity: int


class _QuotedLine(_Read):
    line_id: UUID
    labour_operation: str
    description: str
    labour_minutes: int
    parts: list[_QuotedPart] = []


class _Quote(_Read):
    lines: list[_QuotedLine]


def _read(quote: Any) -> _Quote:
    try:
        return _Quote.model_validate(quote)
    except ValidationError as error:
        raise PeerUnavailable(
            f"catalogue answered a quote booking cannot read ({error.error_count()} errors)"
        ) from None


def jobs_from_quote(quote: Any) -> tuple[RequestedJob, ...]:
    """One requested job per quoted line: its operation, description and flat-rate minutes, and
    the parts the catalogue lists for it (what parts pre-checks and reserves)."""
    jobs = []
    for line in _read(quote).lines:
        if line.labour_minutes <= 0:
            raise NoFlatRateTime(
                f"the catalogue gives {line.labour_operation} no flat-rate time; "
                "book it as a typed job with its estimated minutes"
            )
        jobs.append(
            RequestedJob(
                job_id=line.line_id,
                description=line.description,
                labour_operation=line.labour_operation,
                estimated_minutes=line.labour_minutes,
                parts=tuple(
                    RequestedPart(part_number=p.part_number, description=p.description, quantity=p.quantity)
                    for p in line.parts
                ),
            )
        )
    return tuple(jobs)


async def _quote(peers: Peers, identity: Identity, site_id: str, pick: CataloguePick) -> Any:
    return await peers.post("catalogue", f"/sites/{site_id}/quotes", identity, quote_body(pick))


async def quoted_jobs(peers: Peers, identity: Identity, site_id: str, pick: CataloguePick) -> tuple[RequestedJob, ...]:
    """The picked work as requested jobs; the catalogue down is a 503 (`PeerUnavailable`) and
    its refusals (an unknown menu or operation) come back with their own status and code."""
    return jobs_from_quote(await _quote(peers, identity, site_id, pick))


async def quoted_minutes(peers: Peers, identity: Identity, site_id: str, pick: CataloguePick) -> int:
    """The flat-rate minutes of the picked work: the duration a free slot must hold."""
    return sum(job.estimated_minutes for job in await quoted_jobs(peers, identity, site_id, pick))
