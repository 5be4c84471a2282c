"""Conversion per reason (docs/reports.md): of the proposals made in a period, how many were
answered, booked and arrived, per reason; a proposal counts in the period it was proposed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from followup.domain.conversion import ConversionRow, ProposalFact, conversion

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAY = datetime(2024, 5, 10, 3, 0, tzinfo=UTC)
LATE_MAY_UTC = datetime(2024, 5, 31, 17, 0, tzinfo=UTC)  # 1 June in Shanghai


def test_each_step_is_counted_per_reason_and_month_of_the_proposal() -> None:
    facts = [
        ProposalFact("maintenance_due", MAY, answered=True, booked=True, arrived=True),
        ProposalFact("maintenance_due", MAY, answered=True, booked=True, arrived=False),
        ProposalFact("maintenance_due", MAY, answered=True, booked=False, arrived=False),
        ProposalFact("maintenance_due", MAY, answered=False, booked=False, arrived=False),
        ProposalFact("recall", MAY, answered=False, booked=True, arrived=False),
        ProposalFact("recall", LATE_MAY_UTC, answered=True, booked=False, arrived=False),
    ]
    rows = conversion(facts, "month", SHANGHAI)
    assert rows == [
        ConversionRow("2024-05", "maintenance_due", proposed=4, answered=3, booked=2, arrived=1, booked_rate=0.5),
        ConversionRow("2024-05", "recall", proposed=1, answered=0, booked=1, arrived=0, booked_rate=1.0),
        ConversionRow("2024-06", "recall", proposed=1, answered=1, booked=0, arrived=0, booked_rate=0.0),
    ]


def test_no_proposals_no_rows() -> None:
    assert conversion([], "week", SHANGHAI) == []
