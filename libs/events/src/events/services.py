"""The services of the system and the local port each listens on by default (`make run`)."""

DEFAULT_PORTS: dict[str, int] = {
    "gateway": 8000,
    "booking": 8001,
    "reception": 8002,
    "workshop": 8003,
    "parts": 8004,
    "followup": 8005,
    "complaints": 8006,
}
