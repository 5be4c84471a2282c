"""The end of the visit over HTTP: the car delivered back to the customer, after billing
reported its invoice paid (the settlement itself is billing's `InvoicePaid`, `policies.py`, not
a route). Shared pieces: `api.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from events.openapi import refusals
from events.runtime import now
from reception import examples
from reception.api import CATALOGUE_DOWN, ON_A_VISIT, VISIT, Desk, RepairOrderId, reception_of
from reception.personal import answer_for
from reception.schemas import DeliveryBody
from reception.views import RepairOrderView, repair_order_view

router = APIRouter(tags=["reception"])

# What stands between a car back from the workshop and its settlement or delivery.
_NOT_YET_DUE = ("not_ready_for_delivery", "finding_awaiting_decision")


@router.post(
    f"{VISIT}/delivery",
    responses={
        **refusals(
            *ON_A_VISIT,
            *_NOT_YET_DUE,
            "not_signed",
            "already_delivered",
            "not_settled",
            "explanation_required",
            "old_parts_not_returned",
        ),
        **CATALOGUE_DOWN,
    },
)
async def deliver(
    repair_order_id: RepairOrderId,
    body: Annotated[DeliveryBody, Body(openapi_examples=examples.DELIVERY)],
    request: Request,
    by: Desk,
) -> RepairOrderView:
    """The car goes back to the customer, after billing reported the invoice paid. The next
    service the desk does not give is the catalogue's next service menu for the car's model
    family, or the site's default interval."""
    outcome = await reception_of(request).deliver(by, repair_order_id, body, now(request))
    return answer_for(by.identity, repair_order_view(outcome.state, outcome.version))
