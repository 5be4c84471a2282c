"""The CSI/VOC facts (domain.md §8): per callback from follow-up's own log (`VocFacts`), and the
operational KPIs from the other services' lifecycle events (`OperationalKpis`, fed from their
topics). Facts only — the figures per week or month are counted when a report is asked for
(`followup.reports`), so one set of facts serves every period, site and group.

KPI facts are yes/no per subject, the last word winning (an appointment first marked no-show
that later arrives counts as arrived):
- `appointment`: a check-in (per repair order) that came by appointment (reception.VehicleCheckedIn);
- `no_show`: an appointment that did not come (booking.AppointmentNoShow) vs came (VehicleArrived);
- `on_time_delivery`: reception.VehicleDelivered.on_time;
- `first_time_fix`: workshop.QualityCheckPassed.first_time;
- `additional_work_approved`: reception.AdditionalWorkApproved vs AdditionalWorkDeclined (per finding);
and the parts wait from parts.PartsShortageDetected to PartsReserved(from_backorder) per reservation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from events.catalog import booking as booking_events
from events.catalog import complaints as complaint_events
from events.catalog import followup as ev
from events.catalog import parts as parts_events
from events.catalog import reception as reception_events
from events.catalog import workshop as workshop_events
from events.connection import Connection
from events.envelope import Envelope
from events.projection import Projection

APPOINTMENT, NO_SHOW, ON_TIME, FIRST_TIME_FIX, APPROVED = (
    "appointment",
    "no_show",
    "on_time_delivery",
    "first_time_fix",
    "additional_work_approved",
)
METRICS = (APPOINTMENT, NO_SHOW, ON_TIME, FIRST_TIME_FIX, APPROVED)


class VocFacts:
    """One row per callback: due and hard-limit times, reached when, score, categories."""

    name = "followup.voc_callbacks"
    tables = ("voc_callbacks",)
    handles = frozenset(
        e.event_type for e in (ev.CallbackOpened, ev.CallRecorded, ev.ComplaintRaised, ev.CallbackCancelled)
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        match event:
            case ev.CallbackOpened():
                await conn.execute(
                    """INSERT INTO voc_callbacks (callback_id, group_id, site_id, kind, due_at, hard_limit_at)
                       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (callback_id) DO NOTHING""",
                    event.callback_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.kind,
                    event.window.due_at,
                    event.window.hard_limit_at,
                )
            case ev.CallRecorded():
                await conn.execute(
                    "UPDATE voc_callbacks SET reached_at = $2, score = $3, categories = $4 WHERE callback_id = $1",
                    event.callback_id,
                    event.reached_at,
                    event.satisfaction_score,
                    list(event.dissatisfaction),
                )
            case ev.ComplaintRaised():
                await conn.execute(
                    "UPDATE voc_callbacks SET complaint_raised = true WHERE callback_id = $1", event.callback_id
                )
            case ev.CallbackCancelled():
                # Cancelled (do-not-call, duplicate…): out of the reach-rate denominator.
                await conn.execute("UPDATE voc_callbacks SET counted = false WHERE callback_id = $1", event.callback_id)


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


class OperationalKpis:
    name = "followup.operational_kpis"
    tables = ("kpi_facts", "parts_waits")
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

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        match event:
            case parts_events.PartsShortageDetected():
                await conn.execute(
                    """INSERT INTO parts_waits (reservation_id, group_id, site_id, detected_at) VALUES ($1, $2, $3, $4)
                       ON CONFLICT (reservation_id) DO UPDATE SET filled_at = NULL,
                           detected_at = LEAST(parts_waits.detected_at, EXCLUDED.detected_at)""",
                    event.reservation_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.detected_at,
                )
                return
            case parts_events.PartsReserved():
                if event.from_backorder:
                    await conn.execute(
                        "UPDATE parts_waits SET filled_at = $2 WHERE reservation_id = $1",
                        event.reservation_id,
                        event.reserved_at,
                    )
                return
        fact = _fact(event)
        if fact is None:
            return
        metric, subject, at, ok = fact
        await conn.execute(
            """INSERT INTO kpi_facts (metric, subject, group_id, site_id, at, ok) VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (metric, subject) DO UPDATE SET at = EXCLUDED.at, ok = EXCLUDED.ok""",
            metric,
            subject,
            tenant.group_id,
            tenant.site_id,
            at,
            ok,
        )


class ComplaintFacts:
    """One row per complaint: its class, the cause and responsibility found at step 3, whether
    the remedy came before the SLA deadline (breached when the complaints service says so).
    Never per agent (seed 004: complaints are improvement material, not an agent's KPI)."""

    name = "followup.voc_complaints"
    tables = ("voc_complaints",)
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

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        match event:
            case complaint_events.ComplaintOpened():
                await conn.execute(
                    """INSERT INTO voc_complaints (complaint_id, group_id, site_id, kind, category, received_at,
                           resolve_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (complaint_id) DO NOTHING""",
                    event.complaint_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.kind,
                    event.category,
                    event.received_at,
                    event.resolve_by,
                )
            case complaint_events.ComplaintReclassified():
                await self._set(event.complaint_id, conn, "kind = $2, resolve_by = $3", event.kind, event.resolve_by)
            case complaint_events.ComplaintFactsConfirmed():
                sql = "cause = $2, responsibility = $3"
                await self._set(event.complaint_id, conn, sql, event.cause, event.responsibility)
            case complaint_events.ComplaintActionTaken():
                await self._set(event.complaint_id, conn, "acted_at = coalesce(acted_at, $2)", event.acted_at)
            case complaint_events.ComplaintSlaBreached():
                await self._set(event.complaint_id, conn, "breached = true")
            case complaint_events.ComplaintClosed():
                await self._set(event.complaint_id, conn, "closed_at = $2", event.closed_at)

    async def _set(self, complaint_id: UUID, conn: Connection, assignments: str, *args: Any) -> None:
        await conn.execute(f"UPDATE voc_complaints SET {assignments} WHERE complaint_id = $1", complaint_id, *args)


# The other services' topics the KPIs and complaint figures are read from.
FEEDS: list[tuple[Projection, list[str]]] = [
    (OperationalKpis(), ["booking", "reception", "workshop", "parts"]),
    (ComplaintFacts(), ["complaints"]),
]
