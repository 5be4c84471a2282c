"""Booking's settings: the backbone's, and what its customer links need (the secret they are
signed with, and where customers open them)."""

from __future__ import annotations

from typing import ClassVar

from events.settings import Settings


class BookingSettings(Settings):
    # Booking mints the day-before message's appointment link and reads it back (events.links).
    verifies_links: ClassVar[bool] = True
    # The customer portal's public address: the base of the appointment links in messages.
    portal_url: str = "http://127.0.0.1:8011"
