"""Reception's settings: the backbone's, how long a check-in waits for booking, and the customer's
approval links (their key is the backbone's LINK_SECRET)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from events.settings import Settings


class ReceptionSettings(Settings):
    # Reception mints and reads the customer's approval links: without LINK_SECRET it does not
    # start outside local development.
    verifies_links: ClassVar[bool] = True

    # How long a check-in of an appointment car waits for booking's record of its arrival to
    # reach reception (docs/decisions/0006).
    reception_booking_patience_seconds: float = Field(default=5, ge=0)
    # How long a customer's approval link may be used (docs/approval-links.md).
    reception_approval_link_hours: float = Field(default=24, gt=0)
    # Where customers reach the portal: the base of the approval links sent to them.
    portal_url: str = "http://127.0.0.1:8011"
