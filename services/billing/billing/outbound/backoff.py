"""When to ask an outside party again: moved to `events.outbound` (shared with notifications)."""

from events.outbound import BACKOFF, Backoff

__all__ = ["BACKOFF", "Backoff"]
