"""What an outside party answered: moved to `events.outbound` (shared with notifications)."""

from events.outbound import Answer, Done, Refused, Unavailable, post, reason_of

__all__ = ["Answer", "Done", "Refused", "Unavailable", "post", "reason_of"]
