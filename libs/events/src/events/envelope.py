"""What travels with every event: who, where, when, why — the envelope around a contract.

`NewEvent` is what a handler hands to the store; `Envelope` is what the store, the relay and
every consumer hand back: the typed event plus its recorded identity and position. Plain
slotted dataclasses, not pydantic models: replay builds millions of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from events.contract import Event

E = TypeVar("E", bound=Event, covariant=True)


@dataclass(frozen=True, slots=True)
class Tenant:
    """The dealer group and site every event, row, query and request belongs to."""

    group_id: str
    site_id: str


@dataclass(frozen=True, slots=True)
class Metadata:
    """Context recorded with an event. Correlation groups everything one user request caused;
    causation names the event (or request) that directly caused this one."""

    tenant: Tenant
    actor: str
    correlation_id: str
    causation_id: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "group_id": self.tenant.group_id,
            "site_id": self.tenant.site_id,
            "actor": self.actor,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "traceparent": self.traceparent,
            "tracestate": self.tracestate,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Metadata:
        return cls(
            tenant=Tenant(data["group_id"], data["site_id"]),
            actor=data["actor"],
            correlation_id=data["correlation_id"],
            causation_id=data.get("causation_id"),
            traceparent=data.get("traceparent"),
            tracestate=data.get("tracestate"),
        )


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event decided but not yet recorded."""

    event: Event
    metadata: Metadata
    event_id: UUID = field(default_factory=uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Envelope(Generic[E]):
    """A recorded event: the contract plus its identity, stream position and context."""

    event: E
    event_id: UUID
    stream_id: str
    stream_version: int
    metadata: Metadata
    occurred_at: datetime
    recorded_at: datetime
    # Position in the service's global log; None for events received from Kafka.
    position: int | None = None

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
