"""What the inspection API accepts (bodies that build domain commands; 422 with field errors) and
answers (the checklist with each item's grade, media and last visit's result)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from events.catalog.reception_values import RepairLine
from events.catalog.workshop import MediaRef
from events.catalog.workshop_inspection import InspectionPoint, ItemFinding, PreviousResult
from workshop.domain.inspection import CompleteInspection, Inspection, Quote, RecordItem
from workshop.domain.inspection_templates import DEFAULT_ID, SetTemplate, Template

API_PREFIX = "/api/v1"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TemplateBody(Body):
    name: str = Field(min_length=1, max_length=200)
    model_family: str = Field(default="*", max_length=100, description="a model family, or * for any")
    service_type: str = Field(default="*", max_length=100, description="a service type, or * for any")
    points: list[InspectionPoint] = Field(min_length=1, max_length=200)

    def command(self, site_id: UUID, template_id: str, set_by: str, now: datetime) -> SetTemplate:
        return SetTemplate(
            site_id, template_id, self.name, self.model_family, self.service_type, tuple(self.points), set_by, now
        )


class OpenBody(Body):
    """`template_id`: a named template; otherwise the one that fits the car and `service_type`."""

    template_id: str | None = Field(default=None, max_length=60)
    service_type: str = Field(default="*", max_length=100)


class ItemBody(Body):
    grade: str = Field(description="green, yellow or red")
    note: str = Field(default="", max_length=2000)
    measured: float | None = Field(default=None, description="in the point's measure: mm or %")

    def command(self, item_id: str, by: str, now: datetime) -> RecordItem:
        return RecordItem(item_id, self.grade, self.note, self.measured, by, now)


class QuoteBody(Body):
    proposed_lines: tuple[RepairLine, ...] = Field(min_length=1, max_length=50)
    extra_minutes: int = Field(ge=0, le=10_000)


class CompleteBody(Body):
    """`quotes`: the foreman's quote per yellow or red item; an item without one is quoted with
    its point's usual repair."""

    quotes: dict[str, QuoteBody] = Field(default_factory=dict, max_length=200)

    def command(self, by: str, now: datetime) -> CompleteInspection:
        quotes = {item: Quote(q.proposed_lines, q.extra_minutes) for item, q in self.quotes.items()}
        return CompleteInspection(quotes, by, now)


# --- views ---------------------------------------------------------------------------------


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class TemplateView(View):
    template_id: str
    name: str
    model_family: str
    service_type: str
    points: list[InspectionPoint]
    seeded: bool = Field(description="the built-in default, not (yet) changed by the site")
    set_by: str | None
    set_at: datetime | None


def template_view(template: Template) -> TemplateView:
    return TemplateView(
        template_id=template.template_id,
        name=template.name,
        model_family=template.model_family,
        service_type=template.service_type,
        points=list(template.points),
        seeded=template.template_id == DEFAULT_ID and template.set_at is None,
        set_by=template.set_by,
        set_at=template.set_at,
    )


class MediaView(View):
    media_id: UUID
    kind: str
    content_type: str
    url: str = Field(description="staff: the gateway's path of the photo or video")
    thumbnail_url: str | None = Field(description="photos only")


def media_view(site_id: UUID | str, ref: MediaRef) -> MediaView:
    url = f"{API_PREFIX}/sites/{site_id}/media/{ref.media_id}"
    return MediaView(
        media_id=ref.media_id,
        kind=ref.kind,
        content_type=ref.content_type,
        url=url,
        thumbnail_url=f"{url}/thumbnail" if ref.kind == "photo" else None,
    )


class PreviousView(View):
    """The item at the car's last inspection (`declined`: a finding the customer declined)."""

    grade: str
    measured: float | None
    note: str
    declined: bool
    media: list[MediaView]


class ItemView(View):
    item_id: str
    area: str
    label: str
    measure: str
    safety_critical: bool
    grade: str | None = Field(description="null until graded")
    note: str
    measured: float | None
    media: list[MediaView]
    previous: PreviousView | None


class InspectionView(View):
    repair_order_id: UUID
    version: int = Field(description="the inspection's version, for `If-Match`")
    status: str = Field(description="open or completed")
    vin: str
    template_id: str
    template_name: str
    previous_repair_order_id: UUID | None
    green: int
    yellow: int
    red: int
    ungraded: int
    findings: list[ItemFinding] = Field(description="which finding each yellow or red item became")
    items: list[ItemView]


def _previous(site_id: UUID | str, found: PreviousResult | None) -> PreviousView | None:
    if found is None:
        return None
    return PreviousView(
        grade=found.grade,
        measured=found.measured,
        note=found.note,
        declined=found.declined,
        media=[media_view(site_id, m) for m in found.media],
    )


def inspection_view(site_id: UUID | str, state: Inspection, version: int) -> InspectionView:
    assert state.repair_order_id is not None  # only an opened inspection is shown
    previous = {p.item_id: p for p in state.previous}
    grades = [r.grade for r in state.results.values()]
    items = []
    for point in state.points:
        result = state.results.get(point.item_id)
        items.append(
            ItemView(
                item_id=point.item_id,
                area=point.area,
                label=point.label,
                measure=point.measure,
                safety_critical=point.safety_critical,
                grade=result.grade if result else None,
                note=result.note if result else "",
                measured=result.measured if result else None,
                media=[media_view(site_id, m) for m in state.media.get(point.item_id, ())],
                previous=_previous(site_id, previous.get(point.item_id)),
            )
        )
    return InspectionView(
        repair_order_id=state.repair_order_id,
        version=version,
        status="completed" if state.completed_at else "open",
        vin=state.vin,
        template_id=state.template_id,
        template_name=state.template_name,
        previous_repair_order_id=state.previous_repair_order_id,
        green=grades.count("green"),
        yellow=grades.count("yellow"),
        red=grades.count("red"),
        ungraded=len(state.ungraded),
        findings=list(state.findings),
        items=items,
    )


class UploadedView(View):
    """The photo or video as stored (a photo without its location metadata)."""

    repair_order_id: UUID
    item_id: str
    version: int
    bytes: int
    media: MediaView
