"""What travels with every event: who, where, when, why — the envelope around a contract.

`NewEvent` is what a handler hands to the store; `Envelope` is what the store, the relay and
every consumer hand back: the typed event plus its recorded identity and position.

Tenant, Metadata and Envelope are NamedTuples: immutable, and built at C speed — replay
builds millions of them (a frozen dataclass costs four times as much per object).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, NamedTuple, TypeVar
from uuid import UUID, uuid4

from events.contract import Event
from events.views import View

E = TypeVar("E", bound=Event | View, covariant=True)  # a view: the part of the contract a reader reads


class Tenant(NamedTuple):
    """The dealer group and site every event, row, query and request belongs to."""

    group_id: str
    site_id: str


class Metadata(NamedTuple):
    """Context recorded with an event. Correlation groups everything one user request caused;
    causation names the event (or request) that directly caused this one."""

    tenant: Tenant
    actor: str
    correlation_id: str
    causation_id: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event decided but not yet recorded."""

    event: Event
    metadata: Metadata
    event_id: UUID = field(default_factory=uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class LogPosition(NamedTuple):
    """A place in the global log: (transaction id, position), the log's sort key (tuples
    order the same way)."""

    tx_id: int = 0
    position: int = 0


class Envelope(NamedTuple, Generic[E]):
    """A recorded event: the contract (or a reader's view of it) plus its identity, stream position
    and context."""

    event: E
    event_id: UUID
    stream_id: str
    stream_version: int
    metadata: Metadata
    occurred_at: datetime
    recorded_at: datetime
    # Position in the service's global log, and its transaction's id (together the log's sort
    # key, `log_position`); None for events received from Kafka.
    position: int | None = None
    tx_id: int | None = None

    @property
    def log_position(self) -> LogPosition:
        """Where a reader of the global log resumes after this event (read from a log)."""
        if self.tx_id is None or self.position is None:
            raise ValueError(f"{self.event_type} {self.event_id} was not read from a global log")
        return LogPosition(self.tx_id, self.position)

    @property
    def event_type(self) -> str:
        return self.event.event_type

    @property
    def tenant(self) -> Tenant:
        return self.metadata.tenant

    def caused(self, actor: str | None = None) -> Metadata:
        """Metadata for an event this one causes: same correlation, this event as the cause."""
        return Metadata(
            tenant=self.metadata.tenant,
            actor=actor or self.metadata.actor,
            correlation_id=self.metadata.correlation_id,
            causation_id=str(self.event_id),
            traceparent=self.metadata.traceparent,
            tracestate=self.metadata.tracestate,
        )


def stream_category(stream_id: str) -> str:
    """`repair_order-5f0c…` → `repair_order`: the aggregate type, used for topics and filters."""
    return stream_id.split("-", 1)[0]


class StoredEvent(NamedTuple):
    """An event as the log holds it, undecoded: what the relay publishes (its JSON as stored)."""

    position: int
    tx_id: int
    stream_id: str
    stream_version: int
    event_id: UUID
    event_type: str
    schema_version: int
    data: str
    group_id: str
    site_id: str
    actor: str
    correlation_id: str
    causation_id: str | None
    traceparent: str | None
    tracestate: str | None
    occurred_at: datetime
    recorded_at: datetime

    @property
    def log_position(self) -> LogPosition:
        return LogPosition(self.tx_id, self.position)
