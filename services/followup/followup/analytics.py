"""The CSI/VOC facts (docs/domain.md §8): per callback from follow-up's own log (`VocFacts`), and the
operational KPIs from the other services' lifecycle events (`OperationalKpis`, fed from their
topics). Facts only — the figures per week, month or year are counted when a report is asked for
(`followup.reports`), so one set of facts serves every period, site and group.

KPI facts are yes/no per subject, the last word winning (an appointment first marked no-show
that later arrives counts as arrived):
- `appointment`: a check-in (per repair order) that came by appointment (reception.VehicleCheckedIn);
- `no_show`: an appointment that did not come (booking.AppointmentNoShow) vs came (VehicleArrived);
- `on_time_delivery`: reception.VehicleDelivered.on_time;
- `first_time_fix`: workshop.QualityCheckPassed.first_time;
- `additional_work_approved`: reception.AdditionalWorkApproved vs AdditionalWorkDeclined (per finding);
and, per check-in, when the car arrived and when the customer was greeted (reception.VehicleCheckedIn:
the report judges the interval against the seeds' 3 minutes, so the rule lives in one place); and,
per parts reservation, the wait from parts.PartsShortageDetected to PartsReserved(from_backorder)
and the first-time fill: how many parts the request asked for and how many were on the shelf at
that moment (its first PartsReserved and `insufficient_stock` shortage, both decided together;
back-order fills and stocktake losses come later and are not the first answer).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from events.catalog import booking as booking_events
from events.catalog import complaints as complaint_events
from events.catalog import followup as ev
from events.catalog import parts as parts_events
from events.catalog import reception as reception_events
from events.catalog import workshop as workshop_events
from events.envelope import Envelope
from events.projection import Projection
from events.rows import Key, RowProjection, Rows, Table
from followup.productivity import WorkshopClocks

APPOINTMENT, NO_SHOW, ON_TIME, FIRST_TIME_FIX, APPROVED = (
    "appointment",
    "no_show",
    "on_time_delivery",
    "first_time_fix",
    "additional_work_approved",
)
METRICS = (APPOINTMENT, NO_SHOW, ON_TIME, FIRST_TIME_FIX, APPROVED)


VOC_CALLBACKS = Table(
    "voc_callbacks",
    ("callback_id",),
    (
        "callback_id", "group_id", "site_id", "kind", "due_at", "hard_limit_at", "counted", "reached_at", "score",
        "categories", "complaint_raised",
    ),
    {"counted": True, "categories": [], "complaint_raised": False},
)  # fmt: skip


class VocFacts(RowProjection):
    """One row per callback: due and hard-limit times, reached when, score, categories."""

    name = "followup.voc_callbacks"
    models = (VOC_CALLBACKS,)
    handles = frozenset(
        e.event_type for e in (ev.CallbackOpened, ev.CallRecorded, ev.ComplaintRaised, ev.CallbackCancelled)
    )

    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        return ((VOC_CALLBACKS, envelope.event.callback_id),)

    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        match event:
            case ev.CallbackOpened():
                if rows.get(VOC_CALLBACKS, event.callback_id) is None:
                    rows.put(
                        VOC_CALLBACKS,
                        VOC_CALLBACKS.new(
                            callback_id=event.callback_id, group_id=tenant.group_id, site_id=tenant.site_id,
                            kind=event.kind, due_at=event.window.due_at, hard_limit_at=event.window.hard_limit_at,
                            categories=[],
                        ),
                    )  # fmt: skip
            case ev.CallRecorded():
                rows.update(
                    VOC_CALLBACKS, event.callback_id, reached_at=event.reached_at, score=event.satisfaction_score,
                    categories=list(event.dissatisfaction),
                )  # fmt: skip
            case ev.ComplaintRaised():
                rows.update(VOC_CALLBACKS, event.callback_id, complaint_raised=True)
            case ev.CallbackCancelled():
                # Cancelled (do-not-call, duplicate…): out of the reach-rate denominator.
                rows.update(VOC_CALLBACKS, event.callback_id, counted=False)


def _fact(event: Any) -> tuple[str, UUID, datetime, bool] | None:
    """(metric, subject, when, yes/no) of a lifecycle event, if it is one."""
    match event:
        case reception_events.VehicleCheckedIn():
            return APPOINTMENT, event.repair_order_id, event.arrived_at, event.arrival_kind == "appointment"
        case booking_events.AppointmentNoShow():
            return NO_SHOW, event.appointment_id, event.slot_start, True
        case booking_events.VehicleArrived():
            return NO_SHOW, event.appointment_id, event.slot_start, False
        case reception_events.VehicleDelivered():
            return ON_TIME, event.repair_order_id, event.delivered_at, event.on_time
        case workshop_events.QualityCheckPassed():
            return FIRST_TIME_FIX, event.repair_order_id, event.checked_at, event.first_time
        case reception_events.AdditionalWorkApproved():
            return APPROVED, event.finding_id, event.approved_at, True
        case reception_events.AdditionalWorkDeclined():
            return APPROVED, event.recommendation.finding_id, event.declined_at, False
    return None


KPI_FACTS = Table("kpi_facts", ("metric", "subject"), ("metric", "subject", "group_id", "site_id", "at", "ok"))
GREETINGS = Table(
    "greetings", ("repair_order_id",), ("repair_order_id", "group_id", "site_id", "arrived_at", "greeted_at")
)
PARTS_WAITS = Table(
    "parts_waits", ("reservation_id",), ("reservation_id", "group_id", "site_id", "detected_at", "filled_at")
)

PARTS_FILLS = Table(
    "parts_fills",
    ("reservation_id",),
    ("reservation_id", "group_id", "site_id", "requested_at", "requested", "on_shelf"),
    {"requested": 0, "on_shelf": 0},
)


def _first_answer(event: Any) -> tuple[int, int] | None:
    """(parts asked, parts on the shelf) a parts event adds to its request's first answer."""
    match event:
        case parts_events.PartsReserved() if not event.from_backorder:
            return event.quantity, event.quantity
        case parts_events.PartsShortageDetected() if event.cause == "insufficient_stock":
            return event.missing_quantity, 0
    return None


class OperationalKpis(RowProjection):
    name = "followup.operational_kpis"
    models = (KPI_FACTS, PARTS_WAITS, PARTS_FILLS, GREETINGS)
    handles = frozenset(
        e.event_type
        for e in (
            reception_events.VehicleCheckedIn,
            booking_events.AppointmentNoShow,
            booking_events.VehicleArrived,
            reception_events.VehicleDelivered,
            workshop_events.QualityCheckPassed,
            reception_events.AdditionalWorkApproved,
            reception_events.AdditionalWorkDeclined,
            parts_events.PartsShortageDetected,
            parts_events.PartsReserved,
        )
    )

    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        event = envelope.event
        if isinstance(event, parts_events.PartsShortageDetected | parts_events.PartsReserved):
            return ((PARTS_WAITS, event.reservation_id), (PARTS_FILLS, event.reservation_id))
        fact = _fact(event)
        facts = ((KPI_FACTS, (fact[0], fact[1])),) if fact else ()
        if isinstance(event, reception_events.VehicleCheckedIn):
            return (*facts, (GREETINGS, event.repair_order_id))
        return facts

    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        answer = _first_answer(event)
        if answer is not None:
            self._fill(rows, envelope, *answer)
        match event:
            case parts_events.PartsShortageDetected():
                wait = rows.get(PARTS_WAITS, event.reservation_id)
                detected = min(wait["detected_at"], event.detected_at) if wait else event.detected_at
                rows.put(
                    PARTS_WAITS,
                    PARTS_WAITS.new(
                        reservation_id=event.reservation_id, group_id=tenant.group_id, site_id=tenant.site_id,
                        detected_at=detected, filled_at=None,
                    ),
                )  # fmt: skip
                return
            case parts_events.PartsReserved():
                if event.from_backorder:
                    rows.update(PARTS_WAITS, event.reservation_id, filled_at=event.reserved_at)
                return
            case reception_events.VehicleCheckedIn():  # and its appointment fact below
                rows.put(
                    GREETINGS,
                    GREETINGS.new(
                        repair_order_id=event.repair_order_id, group_id=tenant.group_id, site_id=tenant.site_id,
                        arrived_at=event.arrived_at, greeted_at=event.greeted_at,
                    ),
                )  # fmt: skip
        fact = _fact(event)
        if fact is None:
            return
        metric, subject, at, ok = fact
        if rows.update(KPI_FACTS, (metric, subject), at=at, ok=ok) is None:  # else the last word wins
            site = {"group_id": tenant.group_id, "site_id": tenant.site_id}
            rows.put(KPI_FACTS, KPI_FACTS.new(metric=metric, subject=subject, at=at, ok=ok, **site))

    def _fill(self, rows: Rows, envelope: Envelope[Any], asked: int, on_shelf: int) -> None:
        event, tenant = envelope.event, envelope.tenant
        fill = rows.get(PARTS_FILLS, event.reservation_id)
        if fill is None:
            at = event.reserved_at if isinstance(event, parts_events.PartsReserved) else event.detected_at
            fill = rows.put(
                PARTS_FILLS,
                PARTS_FILLS.new(
                    reservation_id=event.reservation_id, group_id=tenant.group_id, site_id=tenant.site_id,
                    requested_at=at,
                ),
            )  # fmt: skip
        rows.update(
            PARTS_FILLS,
            event.reservation_id,
            requested=fill["requested"] + asked,
            on_shelf=fill["on_shelf"] + on_shelf,
        )


VOC_COMPLAINTS = Table(
    "voc_complaints",
    ("complaint_id",),
    (
        "complaint_id", "group_id", "site_id", "kind", "category", "cause", "responsibility", "received_at",
        "resolve_by", "acted_at", "breached", "closed_at",
    ),
    {"breached": False},
)  # fmt: skip


class ComplaintFacts(RowProjection):
    """One row per complaint: its class, the cause and responsibility found at step 3, whether
    the remedy came before the SLA deadline (breached when the complaints service says so).
    Never per agent (seed 004: complaints are improvement material, not an agent's KPI)."""

    name = "followup.voc_complaints"
    models = (VOC_COMPLAINTS,)
    handles = frozenset(
        e.event_type
        for e in (
            complaint_events.ComplaintOpened,
            complaint_events.ComplaintReclassified,
            complaint_events.ComplaintFactsConfirmed,
            complaint_events.ComplaintActionTaken,
            complaint_events.ComplaintSlaBreached,
            complaint_events.ComplaintClosed,
        )
    )

    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        return ((VOC_COMPLAINTS, envelope.event.complaint_id),)

    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        complaint = event.complaint_id
        match event:
            case complaint_events.ComplaintOpened():
                if rows.get(VOC_COMPLAINTS, complaint) is None:
                    rows.put(
                        VOC_COMPLAINTS,
                        VOC_COMPLAINTS.new(
                            complaint_id=complaint, group_id=tenant.group_id, site_id=tenant.site_id, kind=event.kind,
                            category=event.category, received_at=event.received_at, resolve_by=event.resolve_by,
                        ),
                    )  # fmt: skip
            case complaint_events.ComplaintReclassified():
                rows.update(VOC_COMPLAINTS, complaint, kind=event.kind, resolve_by=event.resolve_by)
            case complaint_events.ComplaintFactsConfirmed():
                rows.update(VOC_COMPLAINTS, complaint, cause=event.cause, responsibility=event.responsibility)
            case complaint_events.ComplaintActionTaken():
                row = rows.get(VOC_COMPLAINTS, complaint)
                if row is not None and row["acted_at"] is None:  # the first remedy counts
                    rows.update(VOC_COMPLAINTS, complaint, acted_at=event.acted_at)
            case complaint_events.ComplaintSlaBreached():
                rows.update(VOC_COMPLAINTS, complaint, breached=True)
            case complaint_events.ComplaintClosed():
                rows.update(VOC_COMPLAINTS, complaint, closed_at=event.closed_at)


# The other services' topics the KPIs, complaint figures and the workshop's productivity are read from.
FEEDS: list[tuple[Projection, list[str]]] = [
    (OperationalKpis(), ["booking", "reception", "workshop", "parts"]),
    (ComplaintFacts(), ["complaints"]),
    (WorkshopClocks(), ["booking", "workshop"]),
]
