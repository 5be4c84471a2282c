"""Published events of the workshop's digital vehicle inspection (docs/inspection.md).

Templates: stream `inspection_templates-<site_id>`, one `InspectionTemplateSet` per change of one
template (it replaces that template). Inspections: stream `inspection-<repair_order_id>`, one per
work order. Completing it reports its yellow and red items as the work order's findings
(`workshop.AdditionalWorkFound`, in `events.catalog.workshop`).
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from events.catalog.workshop import MediaRef
from events.contract import Event
from events.rules import check_code


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# What an inspection point measures (none: graded by eye).
MEASURES = ("none", "tread_depth_mm", "pad_thickness_mm", "battery_health_pct")
# The traffic light of one point: green fine, yellow soon, red now.
GRADES = ("green", "yellow", "red")


class InspectionPoint(_Value):
    """One item of a checklist; `labour_*`: the repair it usually leads to, quoted when the item is
    graded yellow or red and the foreman gives no other quote (prices in fen)."""

    item_id: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    area: str = Field(min_length=1)
    label: str = Field(min_length=1)
    measure: str = "none"
    safety_critical: bool = False
    labour_operation: str | None = None
    labour_minutes: int = Field(default=0, ge=0)
    labour_price: int = Field(default=0, ge=0)

    @field_validator("measure")
    @classmethod
    def measure_is_known(cls, value: str) -> str:
        return check_code(value, MEASURES, "measure")


class PreviousResult(_Value):
    """An item's result at the car's last inspection, shown again on this one; `declined`: it was
    a finding the customer declined (still a recommendation)."""

    item_id: str
    grade: str
    measured: float | None = None
    note: str = ""
    finding_id: UUID | None = None
    declined: bool = False
    media: tuple[MediaRef, ...] = ()


class ItemFinding(_Value):
    """Which finding an inspection item became."""

    item_id: str
    finding_id: UUID


class InspectionTemplateSet(Event, type="workshop.InspectionTemplateSet", version=1):
    """A site's checklist for a model family and service type ("*": any), as set by the service
    manager; replaces the template of this id."""

    site_id: UUID
    template_id: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1)
    model_family: str = "*"
    service_type: str = "*"
    points: tuple[InspectionPoint, ...] = Field(min_length=1)
    set_by: str = Field(min_length=1)
    set_at: AwareDatetime


class _InspectionEvent(Event):
    """Abstract base: an inspection is one work order's (stream `inspection-<repair_order_id>`)."""

    repair_order_id: UUID


class InspectionOpened(_InspectionEvent, type="workshop.InspectionOpened", version=1):
    """The checklist a technician works through on this car, with what the car's last inspection
    found (`previous`, from `previous_repair_order_id`)."""

    vin: str = Field(min_length=1)
    template_id: str
    template_name: str
    points: tuple[InspectionPoint, ...] = Field(min_length=1)
    previous_repair_order_id: UUID | None = None
    previous: tuple[PreviousResult, ...] = ()
    opened_by: str = Field(min_length=1)
    opened_at: AwareDatetime


class InspectionItemRecorded(_InspectionEvent, type="workshop.InspectionItemRecorded", version=1):
    """An item graded (again: the last grade counts), with its note and measured value."""

    item_id: str
    grade: str
    note: str = ""
    measured: float | None = None
    recorded_by: str = Field(min_length=1)
    recorded_at: AwareDatetime

    @field_validator("grade")
    @classmethod
    def grade_is_known(cls, value: str) -> str:
        return check_code(value, GRADES, "grade")


class InspectionMediaAttached(_InspectionEvent, type="workshop.InspectionMediaAttached", version=1):
    """A photo or video of an item, kept by the media store."""

    item_id: str
    media: MediaRef
    attached_by: str = Field(min_length=1)
    attached_at: AwareDatetime


class InspectionCompleted(_InspectionEvent, type="workshop.InspectionCompleted", version=1):
    """Every item graded; the yellow and red ones became the work order's findings (`findings`,
    reported in the same transaction as `workshop.AdditionalWorkFound`)."""

    green: int = Field(ge=0)
    yellow: int = Field(ge=0)
    red: int = Field(ge=0)
    findings: tuple[ItemFinding, ...] = ()
    completed_by: str = Field(min_length=1)
    completed_at: AwareDatetime
