"""The privacy contract every service consumes (docs/decisions/0004-personal-data.md).

- `personal_data-<customer_id>`: a customer's erasure. Published by the service that takes the
  request (booking, which keeps the customer database) on the topic `privacy.events`.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field

from events.contract import Event


class PersonalDataErased(Event, type="privacy.PersonalDataErased", version=1):
    """A customer's personal data is to be unreadable everywhere: every service drops its keys of
    `subject_ids` (the customer, and the contacts known only by the customer's phones) and
    scrubs its read models, keeping the rows. `reason` is why (e.g. the customer's request under
    PIPL art. 47); who asked is the event's actor."""

    customer_id: UUID
    subject_ids: tuple[UUID, ...] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=500)
    requested_at: AwareDatetime


def stream_id(customer_id: UUID) -> str:
    return f"personal_data-{customer_id}"
