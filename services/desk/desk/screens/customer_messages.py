"""One customer's file of messages (issue 21): every message notifications sent them, newest
first, with its delivery status and, for one that did not arrive, why and what to do (call the
customer). Notifications decides who may read it (CS agents, advisors, service managers) and
whether the address is shown to them: the page shows its answer, or its refusal, as given."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from desk.web import CurrentVisit

router = APIRouter()
# A message that did not reach the customer: a person has to call them.
NOT_ARRIVED = frozenset({"failed", "bounced", "undeliverable", "refused"})


@router.get("/customers/{customer_id}/messages", name="customer_messages")
async def customer_messages(customer_id: UUID, visit: CurrentVisit) -> HTMLResponse:
    # No screen gate of its own: the API's readers are the gate, and its refusal is what is shown.
    messages = await visit.api.get("messages", customer_id=str(customer_id))
    return visit.render(
        "customer_messages.html",
        customer_id=str(customer_id),
        messages=messages,
        not_arrived=NOT_ARRIVED,
        time_zone=await visit.time_zone(),
    )
