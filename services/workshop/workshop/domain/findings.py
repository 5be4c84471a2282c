"""What the technicians find beyond the signed work (docs/domain.md §3): additional work
reported in rounds, and the test drive that, like a first fix, allows another round."""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog import workshop as ev
from events.contract import Event
from events.rules import MissingInformation, require_text
from workshop.domain import errors
from workshop.domain.commands import RecordTestDrive, ReportAdditionalWork
from workshop.domain.guards import require_open
from workshop.domain.state import WorkOrder


def record_test_drive(state: WorkOrder, command: RecordTestDrive) -> Sequence[Event]:
    repair_order_id = require_open(state)
    return [
        ev.TestDriveRecorded(
            repair_order_id=repair_order_id,
            driven_by=require_text(command.driven_by, "driver"),
            with_customer=command.with_customer,
            notes=command.notes,
            driven_at=command.driven_at,
        )
    ]


def report_additional_work(state: WorkOrder, command: ReportAdditionalWork) -> Sequence[Event]:
    """All visible and foreseeable faults at once; another round only after a test drive or a
    first fix, so the customer is not called again and again (docs/domain.md §3)."""
    repair_order_id = require_open(state)
    if state.finding_rounds and not state.drove_or_fixed_since_round:
        raise errors.FindingRoundNotAllowed(
            "findings are reported all at once: another round only after a test drive or a first fix"
        )
    ids = [f.finding_id for f in command.findings]
    if not ids:
        raise MissingInformation("report at least one finding")
    if len(set(ids)) != len(ids) or any(i in state.findings for i in ids):
        raise errors.DuplicateFinding("a finding with this id was already reported")
    return [
        ev.AdditionalWorkFound(
            repair_order_id=repair_order_id,
            round=state.finding_rounds + 1,
            findings=command.findings,
            reported_by=command.reported_by,
            found_at=command.found_at,
        )
    ]
