"""The services of the system and the local port each listens on by default (`make run`)."""

from __future__ import annotations

import os

DEFAULT_PORTS: dict[str, int] = {
    "gateway": 8000,
    "booking": 8001,
    "reception": 8002,
    "workshop": 8003,
    "parts": 8004,
    "followup": 8005,
    "complaints": 8006,
    "catalogue": 8007,
    "billing": 8008,
    "desk": 8009,  # the staff web app: it publishes no events and owns no resource of the API
    "notifications": 8010,
    "portal": 8011,  # the customer web app: no sign-in, no events, no database; the gateway's public routes
}


def service_url(service: str) -> str:
    """Where a service listens: `<NAME>_URL` (for example `BOOKING_URL`), by default its local port."""
    return os.environ.get(f"{service.upper()}_URL", f"http://127.0.0.1:{DEFAULT_PORTS[service]}")
