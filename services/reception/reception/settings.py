"""Reception's settings: the backbone's, and how long a check-in waits for booking."""

from __future__ import annotations

from pydantic import Field

from events.settings import Settings


class ReceptionSettings(Settings):
    # How long a check-in of an appointment car waits for booking's record of its arrival to
    # reach reception (docs/decisions/0006).
    reception_booking_patience_seconds: float = Field(default=5, ge=0)
