"""A site's inspection checklists, stream `inspection_templates-<site_id>`: per model family and
service type, each a list of points graded green / yellow / red, some with a measured value.

Every site starts with `DEFAULT` (a 30-point check, any model, any service); the service manager
may replace it (a template of the same id) or add templates for a model family or a service
type. An inspection takes the most specific template that fits its car and service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from events.catalog import workshop_inspection as ev
from events.catalog.workshop_inspection import InspectionPoint
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError
from events.rules import require_text

ANY = "*"
DEFAULT_ID = "default-30-point"


class DuplicatePoint(DomainError):
    code = "duplicate_inspection_point"


class UnknownTemplate(DomainError):
    code = "unknown_inspection_template"


@dataclass(frozen=True)
class Template:
    template_id: str
    name: str
    model_family: str
    service_type: str
    points: tuple[InspectionPoint, ...]
    set_by: str | None = None
    set_at: datetime | None = None


def _point(
    item_id: str,
    area: str,
    label: str,
    measure: str = "none",
    *,
    safety: bool = False,
    repair: tuple[str, int, int] | None = None,
) -> InspectionPoint:
    operation, minutes, price = repair or (None, 0, 0)
    return InspectionPoint(
        item_id=item_id,
        area=area,
        label=label,
        measure=measure,
        safety_critical=safety,
        labour_operation=operation,
        labour_minutes=minutes,
        labour_price=price,
    )


_TYRE = ("TYRE-RPL", 30, 6000)
# The 30-point check most dealers run on every visit (tyres, brakes, battery and lights, fluids
# under the bonnet, the underside), with the repair each point usually leads to (labour in fen).
DEFAULT = Template(
    DEFAULT_ID,
    "30-point check",
    ANY,
    ANY,
    (
        _point("tyre_front_left", "tyres", "Tyre, front left", "tread_depth_mm", safety=True, repair=_TYRE),
        _point("tyre_front_right", "tyres", "Tyre, front right", "tread_depth_mm", safety=True, repair=_TYRE),
        _point("tyre_rear_left", "tyres", "Tyre, rear left", "tread_depth_mm", safety=True, repair=_TYRE),
        _point("tyre_rear_right", "tyres", "Tyre, rear right", "tread_depth_mm", safety=True, repair=_TYRE),
        _point("spare_wheel", "tyres", "Spare wheel and tools"),
        _point("wheel_alignment", "tyres", "Wheel alignment (uneven wear)", repair=("ALIGN", 45, 20000)),
        _point(
            "brake_pads_front",
            "brakes",
            "Brake pads, front",
            "pad_thickness_mm",
            safety=True,
            repair=("BRK-PAD", 60, 18000),
        ),
        _point(
            "brake_pads_rear",
            "brakes",
            "Brake pads, rear",
            "pad_thickness_mm",
            safety=True,
            repair=("BRK-PAD-R", 60, 18000),
        ),
        _point("brake_discs_front", "brakes", "Brake discs, front", safety=True, repair=("BRK-DISC", 90, 27000)),
        _point("brake_discs_rear", "brakes", "Brake discs, rear", safety=True, repair=("BRK-DISC-R", 90, 27000)),
        _point("brake_fluid", "brakes", "Brake fluid", safety=True, repair=("BRK-FLUID", 40, 12000)),
        _point("parking_brake", "brakes", "Parking brake", safety=True),
        _point("battery", "electrics", "Battery", "battery_health_pct", repair=("BAT-RPL", 20, 6000)),
        _point("headlights", "electrics", "Headlights", safety=True, repair=("LAMP-RPL", 15, 4000)),
        _point("brake_lights", "electrics", "Brake lights", safety=True, repair=("LAMP-RPL", 15, 4000)),
        _point("indicators", "electrics", "Indicators and hazard lights", safety=True),
        _point("horn", "electrics", "Horn", safety=True),
        _point("wiper_blades", "electrics", "Wiper blades", repair=("WIPER-RPL", 10, 2000)),
        _point("washer_fluid", "electrics", "Washer fluid"),
        _point("engine_oil", "engine", "Engine oil level and condition", repair=("OIL-CHG", 40, 15000)),
        _point("coolant", "engine", "Coolant level and strength", repair=("COOLANT", 45, 15000)),
        _point("drive_belt", "engine", "Drive belt", repair=("BELT-RPL", 60, 24000)),
        _point("air_filter", "engine", "Engine air filter", repair=("AIR-FLT", 15, 3000)),
        _point("cabin_filter", "engine", "Cabin air filter", repair=("CABIN-FLT", 15, 3000)),
        _point("hoses", "engine", "Hoses and clamps"),
        _point("exhaust", "underside", "Exhaust system and mounts"),
        _point("shock_absorbers", "underside", "Shock absorbers", safety=True, repair=("SHOCK-RPL", 120, 40000)),
        _point("steering_joints", "underside", "Steering joints and rack boots", safety=True),
        _point("cv_boots", "underside", "Drive-shaft (CV) boots", repair=("CV-BOOT", 90, 30000)),
        _point("leaks", "underside", "Oil and fluid leaks"),
    ),
)


@dataclass(frozen=True)
class SiteTemplates:
    """The site's own templates by id (the default is there until the site replaces it)."""

    templates: Mapping[str, Template] = field(default_factory=dict)

    def all(self) -> list[Template]:
        own = dict(self.templates)
        return [own.pop(DEFAULT_ID, DEFAULT), *sorted(own.values(), key=lambda t: t.template_id)]

    def get(self, template_id: str) -> Template:
        found = {t.template_id: t for t in self.all()}.get(template_id)
        if found is None:
            raise UnknownTemplate(f"no inspection template {template_id!r} at this site")
        return found

    def fitting(self, model: str, service_type: str) -> Template:
        """The most specific template for the car's model family and the service: both named
        over one named over neither."""

        def fits(value: str, wanted: str) -> int | None:
            if value == ANY:
                return 0
            return 1 if value.casefold() == wanted.strip().casefold() else None

        best: tuple[int, Template] | None = None
        for template in self.all():
            model_fit, service_fit = fits(template.model_family, model), fits(template.service_type, service_type)
            if model_fit is None or service_fit is None:
                continue
            score = model_fit * 2 + service_fit
            if best is None or score > best[0]:
                best = (score, template)
        return best[1] if best else DEFAULT


INITIAL = SiteTemplates()


@dataclass(frozen=True)
class SetTemplate:
    site_id: UUID
    template_id: str
    name: str
    model_family: str
    service_type: str
    points: tuple[InspectionPoint, ...]
    set_by: str
    set_at: datetime


def stream_id(site_id: UUID | str) -> str:
    return f"inspection_templates-{site_id}"


def decide(state: SiteTemplates, command: SetTemplate) -> Sequence[Event]:
    ids = [p.item_id for p in command.points]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise DuplicatePoint(f"each point of a checklist has its own id; repeated: {', '.join(repeated)}")
    return [
        ev.InspectionTemplateSet(
            site_id=command.site_id,
            template_id=require_text(command.template_id, "the template's id"),
            name=require_text(command.name, "the template's name"),
            model_family=command.model_family.strip() or ANY,
            service_type=command.service_type.strip() or ANY,
            points=command.points,
            set_by=require_text(command.set_by, "who set the template"),
            set_at=command.set_at,
        )
    ]


def evolve(state: SiteTemplates, event: Event) -> SiteTemplates:
    if not isinstance(event, ev.InspectionTemplateSet):
        return state
    template = Template(
        event.template_id,
        event.name,
        event.model_family,
        event.service_type,
        event.points,
        event.set_by,
        event.set_at,
    )
    return SiteTemplates({**state.templates, event.template_id: template})


inspection_templates: Decider[SetTemplate, SiteTemplates] = Decider(INITIAL, decide, evolve)
