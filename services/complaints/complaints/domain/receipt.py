"""Step 1 (docs/domain.md §7, seed 004): a complaint received, classified (complaint or general
grievance) with its SLA deadline, serious ones escalated to the service manager at once; and
reclassified later, its deadline counted again from receipt."""

from __future__ import annotations

from collections.abc import Sequence

from complaints.domain import errors
from complaints.domain.commands import ReceiveComplaint, ReclassifyComplaint
from complaints.domain.sla import resolve_by
from complaints.domain.state import Complaint
from complaints.domain.steps import SERVICE_MANAGER, require_open
from events.catalog import complaints as ev
from events.catalog.complaints_values import CATEGORIES, CHANNELS, GENERAL_GRIEVANCE, KINDS, SERIOUS_REASONS
from events.contract import Event
from events.rules import MissingInformation, require_code, require_text


def receive(state: Complaint, command: ReceiveComplaint) -> Sequence[Event]:
    """Serious complaints go to the service manager at once (docs/domain.md §7 step 1)."""
    if state.exists:
        raise errors.ComplaintAlreadyReceived("this complaint was already received")
    kind = require_code(command.kind, KINDS, "complaint kind")
    serious = tuple(dict.fromkeys(require_code(r, SERIOUS_REASONS, "serious reason") for r in command.serious_reasons))
    if serious and kind == GENERAL_GRIEVANCE:
        raise errors.SeriousIsAComplaint(
            f"a complaint about {', '.join(serious)} is serious: classify it as a complaint (24-hour SLA)"
        )
    channel = require_code(command.channel, CHANNELS, "channel")
    if channel == "callback" and command.callback_id is None:
        raise MissingInformation("a complaint raised in a callback names that callback")
    opened = ev.ComplaintOpened(
        complaint_id=command.complaint_id,
        customer_id=command.customer_id,
        vin=command.vin,
        repair_order_id=command.repair_order_id,
        callback_id=command.callback_id,
        channel=channel,
        kind=kind,
        category=require_code(command.category, CATEGORIES, "category"),
        customer_words=require_text(command.customer_words, "the customer's words"),
        serious_reasons=serious,
        resolve_by=resolve_by(kind, command.received_at, command.calendar),
        handled_by=require_text(command.handled_by, "who received the complaint"),
        received_at=command.received_at,
    )
    if not serious:
        return [opened]
    escalated = ev.ComplaintEscalated(
        complaint_id=command.complaint_id,
        reason="serious",
        to_role=SERVICE_MANAGER,
        detail=", ".join(serious),
        escalated_at=command.received_at,
    )
    return [opened, escalated]


def reclassify(state: Complaint, command: ReclassifyComplaint) -> Sequence[Event]:
    """The SLA deadline is counted again from receipt under the new class (seed 004)."""
    complaint_id = require_open(state)
    kind = require_code(command.kind, KINDS, "complaint kind")
    reason = require_text(command.reason, "the reason for reclassifying")
    if kind == state.kind:
        return []
    if state.serious_reasons and kind == GENERAL_GRIEVANCE:
        raise errors.SeriousIsAComplaint("a serious complaint (accident, injury, safety) stays a complaint")
    assert state.received_at is not None
    return [
        ev.ComplaintReclassified(
            complaint_id=complaint_id,
            previous_kind=state.kind,
            kind=kind,
            reason=reason,
            resolve_by=resolve_by(kind, state.received_at, command.calendar),
            handled_by=require_text(command.handled_by, "who reclassified the complaint"),
            reclassified_at=command.reclassified_at,
        )
    ]
