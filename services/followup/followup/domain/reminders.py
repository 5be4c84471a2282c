"""Maintenance reminders and declined work as active-appointment proposals for booking
(docs/domain.md §6 "maintenance reminders … feed active appointments"; docs/flow.md: a declined
recommendation becomes an active-appointment proposal).

Do-not-call is honoured: nothing is proposed for such a customer, except for safety (a recall or
a safety-critical declined recommendation), which is proposed with `phone_allowed=False` so
booking writes instead of calling.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from events.catalog import followup_files as ev
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity
from followup.domain.ids import proposal_id_for
from followup.domain.schedule import DECLINED_PROPOSAL_AFTER, SAFETY_PROPOSAL_WITHIN, contact_from

MAINTENANCE_DUE, DECLINED_RECOMMENDATION, CAMPAIGN, RECALL = (
    "maintenance_due",
    "declined_recommendation",
    "campaign",
    "recall",
)


def maintenance_proposal(
    file_id: UUID,
    contact: Contact,
    vehicle: VehicleIdentity,
    repair_order_id: UUID,
    due_date: date | None,
    due_km: int | None,
    do_not_call: bool,
    at: datetime,
) -> ev.AppointmentProposed | None:
    """The next service from the visit's interval; contact starts two weeks before the date.
    With only a mileage, booking proposes when the customer next calls (no date to time it)."""
    if do_not_call or (due_date is None and due_km is None):
        return None
    return ev.AppointmentProposed(
        file_id=file_id,
        proposal_id=proposal_id_for(file_id, MAINTENANCE_DUE, repair_order_id),
        reason=MAINTENANCE_DUE,
        contact=contact,
        vehicle=vehicle,
        suggested_date=due_date,
        due_km=due_km,
        contact_from=contact_from(due_date) if due_date else None,
        repair_order_id=repair_order_id,
        proposed_at=at,
    )


def declined_proposal(
    file_id: UUID,
    contact: Contact,
    vehicle: VehicleIdentity,
    repair_order_id: UUID,
    recommendation: Recommendation,
    declined_at: datetime,
    do_not_call: bool,
    at: datetime,
) -> ev.AppointmentProposed | None:
    """Safety-critical work is proposed within a week, anything else after a month."""
    safety = recommendation.safety_critical
    if do_not_call and not safety:
        return None
    suggested = (declined_at + (SAFETY_PROPOSAL_WITHIN if safety else DECLINED_PROPOSAL_AFTER)).date()
    return ev.AppointmentProposed(
        file_id=file_id,
        proposal_id=proposal_id_for(file_id, DECLINED_RECOMMENDATION, recommendation.finding_id),
        reason=DECLINED_RECOMMENDATION,
        contact=contact,
        vehicle=vehicle,
        suggested_date=suggested,
        contact_from=declined_at.date() if safety else contact_from(suggested),
        recommendation=recommendation,
        repair_order_id=repair_order_id,
        phone_allowed=not do_not_call,
        proposed_at=at,
    )


def campaign_proposal(
    file_id: UUID,
    contact: Contact,
    vehicle: VehicleIdentity,
    campaign_id: UUID,
    recall: bool,
    starts_at: datetime,
    do_not_call: bool,
    at: datetime,
) -> ev.AppointmentProposed | None:
    """A customer who wants to come to a campaign (or must, for a recall) is booked for its start."""
    if do_not_call and not recall:
        return None
    reason = RECALL if recall else CAMPAIGN
    return ev.AppointmentProposed(
        file_id=file_id,
        proposal_id=proposal_id_for(file_id, reason, campaign_id),
        reason=reason,
        contact=contact,
        vehicle=vehicle,
        suggested_date=starts_at.date(),
        contact_from=at.date(),
        campaign_id=campaign_id,
        phone_allowed=not do_not_call,
        proposed_at=at,
    )
