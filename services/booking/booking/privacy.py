"""A customer's erasure request (issue 6; docs/decisions/0004-personal-data.md): taken here, where
the customer database is, and published to every service as `privacy.PersonalDataErased`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from booking.handlers import Booking
from events.catalog.privacy import PersonalDataErased, stream_id
from events.envelope import NewEvent
from events.errors import ConcurrencyConflict, DomainError
from events.http import CurrentIdentity, SiteId, command_metadata, site_tenant
from events.identity import GROUP_ADMIN, SERVICE_MANAGER
from events.personal_data import phone_subject

router = APIRouter(tags=["privacy"])


class ErasureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="why, e.g. the customer's written request")


class AlreadyErased(DomainError):
    code = "already_erased"


@router.post("/sites/{site_id}/customers/{customer_id}/erasure", status_code=202)
async def request_erasure(
    site_id: SiteId, customer_id: UUID, body: ErasureBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Erase a customer's personal data everywhere: their keys are shredded and read models
    scrubbed by every service as it consumes the erasure (hence 202); the business history stays.
    Recorded with who asked (the event's actor) and why."""
    booking: Booking = request.app.state.booking
    customer, _ = await booking.customer(site_tenant(identity, site_id, (SERVICE_MANAGER, GROUP_ADMIN)), customer_id)
    # The customer, and each contact known only by one of their phones (decision 0004).
    subjects = (customer_id, *sorted({phone_subject(p) for p in customer.phones}, key=str))
    erased = PersonalDataErased(
        customer_id=customer_id, subject_ids=subjects, reason=body.reason, requested_at=booking.now()
    )
    try:
        await booking.store.append(
            stream_id(customer_id), 0, [NewEvent(erased, command_metadata(identity, str(site_id), request))]
        )
    except ConcurrencyConflict:
        raise AlreadyErased(f"customer {customer_id}'s personal data is already erased") from None
    return {"customer_id": str(customer_id), "status": "erasure_requested", "subjects": len(subjects)}
