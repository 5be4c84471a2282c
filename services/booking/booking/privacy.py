"""A customer's erasure request (issue 6; docs/decisions/0004-personal-data.md): taken here, where
the customer database is, and published to every service as `privacy.PersonalDataErased`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from booking.domain.customer_vehicle import customer_vehicle
from booking.domain.customer_vehicle import stream_id as customer_stream
from events.catalog.privacy import PersonalDataErased, stream_id
from events.commands import load
from events.envelope import NewEvent
from events.errors import ConcurrencyConflict, DomainError
from events.http import Actor, acting
from events.identity import GROUP_ADMIN, SERVICE_MANAGER
from events.openapi import refusals
from events.personal_data import phone_subject
from events.runtime import now, store_of

router = APIRouter(tags=["privacy"])


class ErasureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="why, e.g. the customer's written request")


class ErasureView(BaseModel):
    customer_id: UUID
    status: str = Field(examples=["erasure_requested"])
    subjects: int = Field(description="the customer and each contact known only by one of their phones")


class AlreadyErased(DomainError):
    code = "already_erased"


Eraser = Annotated[Actor, acting(SERVICE_MANAGER, GROUP_ADMIN)]


@router.post(
    "/sites/{site_id}/customers/{customer_id}/erasure", status_code=202, responses=refusals(AlreadyErased.code)
)
async def request_erasure(customer_id: UUID, body: ErasureBody, request: Request, by: Eraser) -> ErasureView:
    """Erase a customer's personal data everywhere: their keys are shredded and read models
    scrubbed by every service as it consumes the erasure (hence 202); the business history stays.
    Recorded with who asked (the event's actor) and why."""
    store = store_of(request)
    customer, _ = await load(store, customer_vehicle, customer_stream(customer_id), by.tenant)
    # The customer, and each contact known only by one of their phones (decision 0004).
    subjects = (customer_id, *sorted({phone_subject(p) for p in customer.phones}, key=str))
    erased = PersonalDataErased(
        customer_id=customer_id, subject_ids=subjects, reason=body.reason, requested_at=now(request)
    )
    try:
        # Written once per customer: the stream's first event, so a second request finds it taken.
        await store.append(stream_id(customer_id), 0, [NewEvent(erased, by.metadata)])
    except ConcurrencyConflict:
        raise AlreadyErased(f"customer {customer_id}'s personal data is already erased") from None
    return ErasureView(customer_id=customer_id, status="erasure_requested", subjects=len(subjects))
