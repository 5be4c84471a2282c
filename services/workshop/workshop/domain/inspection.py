"""Inspection, stream `inspection-<repair_order_id>`: the digital vehicle inspection of one work
order (docs/inspection.md).

Life: opened on the work order from the site's template that fits the car (with what the car's
last inspection found, carried forward) → each item graded green / yellow / red, with a note, a
measured value where the point measures one, and photos or videos → completed once every item is
graded: its yellow and red items become the work order's findings for the customer's decision
(`findings_of`, reported by the handler in the same transaction). A finding's id is derived from
the RO and the item, so a completion retried after a lost answer reports the same findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from uuid import UUID, uuid5

from events.catalog import workshop_inspection as ev
from events.catalog.reception_values import RepairLine
from events.catalog.workshop import Finding, MediaRef
from events.catalog.workshop_inspection import InspectionPoint, ItemFinding, PreviousResult
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError
from events.rules import InvalidAmount, MissingInformation, require_code, require_text
from workshop.domain.inspection_templates import Template

# The range a measured value can have (beyond it, it was mistyped).
MEASURE_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"tread_depth_mm": (0.0, 20.0), "pad_thickness_mm": (0.0, 30.0), "battery_health_pct": (0.0, 100.0)}
)
# Photos and videos one item may carry: evidence, not an album.
MEDIA_PER_ITEM = 10
FINDING_GRADES = ("yellow", "red")


class InspectionAlreadyOpen(DomainError):
    code = "inspection_already_open"


class NoInspection(DomainError):
    code = "no_inspection"


class InspectionCompleted(DomainError):
    code = "inspection_completed"


class UnknownItem(DomainError):
    code = "unknown_inspection_item"


class ItemsNotGraded(DomainError):
    code = "inspection_items_not_graded"


class FindingNotQuoted(DomainError):
    """A yellow or red item whose point suggests no repair needs the foreman's quote."""

    code = "finding_not_quoted"


class TooManyMedia(DomainError):
    code = "too_many_media"


@dataclass(frozen=True)
class ItemResult:
    grade: str
    note: str = ""
    measured: float | None = None


@dataclass(frozen=True)
class Inspection:
    repair_order_id: UUID | None = None
    vin: str = ""
    template_id: str = ""
    template_name: str = ""
    points: tuple[InspectionPoint, ...] = ()
    previous_repair_order_id: UUID | None = None
    previous: tuple[PreviousResult, ...] = ()
    results: Mapping[str, ItemResult] = field(default_factory=lambda: MappingProxyType({}))
    media: Mapping[str, tuple[MediaRef, ...]] = field(default_factory=lambda: MappingProxyType({}))
    findings: tuple[ItemFinding, ...] = ()
    completed_at: datetime | None = None

    def point(self, item_id: str) -> InspectionPoint:
        for point in self.points:
            if point.item_id == item_id:
                return point
        raise UnknownItem(f"the checklist has no item {item_id!r}")

    @property
    def ungraded(self) -> list[str]:
        return [p.item_id for p in self.points if p.item_id not in self.results]


INITIAL = Inspection()


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenInspection:
    """`previous`: the car's last completed inspection (another RO), read by the handler."""

    repair_order_id: UUID
    vin: str
    template: Template
    previous_repair_order_id: UUID | None
    previous: tuple[PreviousResult, ...]
    opened_by: str
    opened_at: datetime


@dataclass(frozen=True)
class RecordItem:
    item_id: str
    grade: str
    note: str
    measured: float | None
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class AttachMedia:
    item_id: str
    media: MediaRef
    attached_by: str
    attached_at: datetime


@dataclass(frozen=True)
class Quote:
    """The foreman's quote for an item's repair, instead of the point's usual one."""

    proposed_lines: tuple[RepairLine, ...]
    extra_minutes: int


@dataclass(frozen=True)
class CompleteInspection:
    quotes: Mapping[str, Quote]
    completed_by: str
    completed_at: datetime


InspectionCommand = OpenInspection | RecordItem | AttachMedia | CompleteInspection


def stream_id(repair_order_id: UUID) -> str:
    return f"inspection-{repair_order_id}"


def finding_id(repair_order_id: UUID, item_id: str) -> UUID:
    return uuid5(repair_order_id, f"inspection-finding:{item_id}")


# --- decisions ------------------------------------------------------------------------------


def _require_open(state: Inspection) -> UUID:
    if state.repair_order_id is None:
        raise NoInspection("no inspection was opened on this work order")
    if state.completed_at is not None:
        raise InspectionCompleted("the inspection is completed: its findings went to the customer")
    return state.repair_order_id


def open_inspection(state: Inspection, command: OpenInspection) -> Sequence[Event]:
    if state.repair_order_id is not None:
        raise InspectionAlreadyOpen("this work order already has its inspection")
    template = command.template
    return [
        ev.InspectionOpened(
            repair_order_id=command.repair_order_id,
            vin=require_text(command.vin, "the car's VIN").upper(),
            template_id=template.template_id,
            template_name=template.name,
            points=template.points,
            previous_repair_order_id=command.previous_repair_order_id,
            previous=command.previous,
            opened_by=command.opened_by,
            opened_at=command.opened_at,
        )
    ]


def record_item(state: Inspection, command: RecordItem) -> Sequence[Event]:
    repair_order_id = _require_open(state)
    point = state.point(command.item_id)
    grade = require_code(command.grade, ev.GRADES, "grade")
    measured = command.measured
    if measured is not None:
        if point.measure == "none":
            raise InvalidAmount(f"{point.label} is graded by eye: it takes no measured value")
        low, high = MEASURE_RANGES[point.measure]
        if not low <= measured <= high:
            raise InvalidAmount(f"{point.label}: a {point.measure} between {low:g} and {high:g}; got {measured:g}")
    if grade != "green" and point.measure != "none" and measured is None:
        raise MissingInformation(f"{point.label} is graded {grade}: give the measured {point.measure}")
    return [
        ev.InspectionItemRecorded(
            repair_order_id=repair_order_id,
            item_id=command.item_id,
            grade=grade,
            note=command.note.strip(),
            measured=measured,
            recorded_by=command.recorded_by,
            recorded_at=command.recorded_at,
        )
    ]


def attach_media(state: Inspection, command: AttachMedia) -> Sequence[Event]:
    repair_order_id = _require_open(state)
    state.point(command.item_id)
    if len(state.media.get(command.item_id, ())) >= MEDIA_PER_ITEM:
        raise TooManyMedia(f"an item carries at most {MEDIA_PER_ITEM} photos and videos")
    return [
        ev.InspectionMediaAttached(
            repair_order_id=repair_order_id,
            item_id=command.item_id,
            media=command.media,
            attached_by=command.attached_by,
            attached_at=command.attached_at,
        )
    ]


def _quote(state: Inspection, point: InspectionPoint, result: ItemResult, quotes: Mapping[str, Quote]) -> Quote:
    assert state.repair_order_id is not None
    given = quotes.get(point.item_id)
    if given is not None:
        return Quote(
            tuple(line.model_copy(update={"origin": "additional_work"}) for line in given.proposed_lines),
            given.extra_minutes,
        )
    if point.labour_operation is None:
        raise FindingNotQuoted(f"{point.label} is graded {result.grade}: quote its repair (no usual repair is set)")
    line = RepairLine(
        line_id=uuid5(state.repair_order_id, f"inspection-line:{point.item_id}"),
        labour_operation=point.labour_operation,
        description=point.label,
        labour_minutes=point.labour_minutes,
        labour_price=point.labour_price,
        pay_type="CUSTOMER_PAY",
        safety_critical=point.safety_critical,
        origin="additional_work",
    )
    return Quote((line,), point.labour_minutes)


def findings_of(state: Inspection, quotes: Mapping[str, Quote]) -> tuple[Finding, ...]:
    """The yellow and red items as findings, with their grade, note and photos (checklist order)."""
    assert state.repair_order_id is not None
    unknown = sorted(set(quotes) - {p.item_id for p in state.points})
    if unknown:
        raise UnknownItem(f"the checklist has no item {', '.join(map(repr, unknown))}")
    found = []
    for point in state.points:
        result = state.results[point.item_id]
        if result.grade not in FINDING_GRADES:
            continue
        quote = _quote(state, point, result, quotes)
        description = f"{point.label}: {result.note}" if result.note else point.label
        found.append(
            Finding(
                finding_id=finding_id(state.repair_order_id, point.item_id),
                description=description,
                safety_critical=point.safety_critical and result.grade == "red",
                proposed_lines=quote.proposed_lines,
                extra_minutes=quote.extra_minutes,
                evidence_refs=(f"inspection:{point.item_id}",),
                severity=result.grade,
                media=state.media.get(point.item_id, ()),
            )
        )
    return tuple(found)


def complete(state: Inspection, command: CompleteInspection) -> Sequence[Event]:
    repair_order_id = _require_open(state)
    if state.ungraded:
        raise ItemsNotGraded(f"grade every item first; not graded: {', '.join(state.ungraded)}")
    findings_of(state, command.quotes)  # every yellow and red item quoted, or refused here
    grades = [r.grade for r in state.results.values()]
    return [
        ev.InspectionCompleted(
            repair_order_id=repair_order_id,
            green=grades.count("green"),
            yellow=grades.count("yellow"),
            red=grades.count("red"),
            findings=tuple(
                ItemFinding(item_id=p.item_id, finding_id=finding_id(repair_order_id, p.item_id))
                for p in state.points
                if state.results[p.item_id].grade in FINDING_GRADES
            ),
            completed_by=require_text(command.completed_by, "who completed the inspection"),
            completed_at=command.completed_at,
        )
    ]


def decide(state: Inspection, command: InspectionCommand) -> Sequence[Event]:
    match command:
        case OpenInspection():
            return open_inspection(state, command)
        case RecordItem():
            return record_item(state, command)
        case AttachMedia():
            return attach_media(state, command)
        case CompleteInspection():
            return complete(state, command)


def evolve(state: Inspection, event: Event) -> Inspection:
    match event:
        case ev.InspectionOpened():
            return Inspection(
                repair_order_id=event.repair_order_id,
                vin=event.vin,
                template_id=event.template_id,
                template_name=event.template_name,
                points=event.points,
                previous_repair_order_id=event.previous_repair_order_id,
                previous=event.previous,
            )
        case ev.InspectionItemRecorded():
            result = ItemResult(event.grade, event.note, event.measured)
            return replace(state, results=MappingProxyType({**state.results, event.item_id: result}))
        case ev.InspectionMediaAttached():
            media = (*state.media.get(event.item_id, ()), event.media)
            return replace(state, media=MappingProxyType({**state.media, event.item_id: media}))
        case ev.InspectionCompleted():
            return replace(state, findings=event.findings, completed_at=event.completed_at)
    return state


inspection: Decider[InspectionCommand, Inspection] = Decider(INITIAL, decide, evolve)
