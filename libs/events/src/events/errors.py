"""The backbone's error types. Each carries a stable `code` that the HTTP layer maps to a status."""

from __future__ import annotations


class EventsError(Exception):
    code = "events_error"


class ConcurrencyConflict(EventsError):
    """The stream moved on since it was read: someone else appended first.

    Raised by `EventStore.append` when the expected version is not the stream's version. Nothing
    of the failed append is written. Callers re-read and re-decide, or report HTTP 409.
    """

    code = "concurrency_conflict"

    def __init__(self, stream_id: str, expected: int, actual: int | None) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        detail = "" if actual is None else f", stream is at version {actual}"
        super().__init__(f"stream {stream_id!r}: expected version {expected}{detail}")


class UnknownEventType(EventsError):
    code = "unknown_event_type"

    def __init__(self, event_type: str, version: int) -> None:
        self.event_type = event_type
        self.version = version
        super().__init__(f"no contract registered for event type {event_type!r} version {version}")


class InvalidEventPayload(EventsError):
    code = "invalid_event_payload"

    def __init__(self, event_type: str, version: int, reason: str) -> None:
        self.event_type = event_type
        self.version = version
        super().__init__(f"payload of {event_type!r} v{version} does not match its contract: {reason}")


class DuplicateContract(EventsError):
    code = "duplicate_contract"


class DomainError(EventsError):
    """A business rule refused a command. Subclasses set `code`; HTTP maps it to 409.

    Raise with a message that tells the user what rule was broken and what to do instead."""

    code = "domain_rule"


class NotFound(EventsError):
    """The stream does not exist (or belongs to another tenant, which is the same to the caller)."""

    code = "not_found"
