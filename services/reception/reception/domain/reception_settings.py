"""A site's reception settings (stream `reception_settings-<site_id>`), set by the service
manager: each role's discount authority and the default service interval.

A site that never set them gives no discount authority to anyone (every discount on a
catalogue price needs a service manager's approval) and uses a 5,000 km / 6 months interval
when the catalogue has no service menu for a car."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from events.catalog.reception_settings import ReceptionSettingsSet
from events.catalog.reception_values import ServiceInterval
from events.contract import Event
from events.decider import Decider
from events.identity import ROLES
from reception.domain.errors import InvalidAmount, InvalidCode, require_text
from reception.domain.pricing import FULL_AUTHORITY

DEFAULT_SERVICE_INTERVAL = ServiceInterval(km=5000, months=6)


def stream_id(site_id: UUID | str) -> str:
    return f"reception_settings-{site_id}"


@dataclass(frozen=True)
class ReceptionSettings:
    discount_authority_bp: dict[str, int] = field(default_factory=dict)
    default_service_interval: ServiceInterval = DEFAULT_SERVICE_INTERVAL
    set_at: datetime | None = None


@dataclass(frozen=True)
class SetReceptionSettings:
    discount_authority_bp: dict[str, int]
    default_service_interval: ServiceInterval
    set_by: str
    set_at: datetime


def decide(state: ReceptionSettings, command: SetReceptionSettings) -> Sequence[Event]:
    for role, bp in command.discount_authority_bp.items():
        if role not in ROLES:
            raise InvalidCode(f"discount authority: {role!r} is not a role; roles are {', '.join(ROLES)}")
        if not 0 <= bp <= FULL_AUTHORITY:
            raise InvalidAmount(f"discount authority of {role} is in basis points, 0 to {FULL_AUTHORITY}; got {bp}")
    if (
        state.set_at is not None
        and state.discount_authority_bp == command.discount_authority_bp
        and state.default_service_interval == command.default_service_interval
    ):
        return []  # the same settings again (a retry): nothing changes
    return [
        ReceptionSettingsSet(
            discount_authority_bp=dict(command.discount_authority_bp),
            default_service_interval=command.default_service_interval,
            set_by=require_text(command.set_by, "who sets the settings"),
            set_at=command.set_at,
        )
    ]


def evolve(state: ReceptionSettings, event: Event) -> ReceptionSettings:
    if isinstance(event, ReceptionSettingsSet):
        return ReceptionSettings(event.discount_authority_bp, event.default_service_interval, event.set_at)
    return state


reception_settings: Decider[SetReceptionSettings, ReceptionSettings] = Decider(ReceptionSettings(), decide, evolve)
