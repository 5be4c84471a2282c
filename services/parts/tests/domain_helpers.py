"""The stock-item facts the parts domain tests share; given / when / then is
`events.testing.deciders.scenario` (re-exported here for the tests' imports)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from events.catalog.parts import PartsIssued, PartsReserved, PartsShortageDetected, StockReceived
from events.testing.deciders import scenario as scenario
from parts.domain.stock_item import Reserve

# --- stock-item facts ---------------------------------------------------------------------

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
PN = "04152-YZZA1"  # oil filter
RO, LINE, OTHER_LINE = uuid4(), uuid4(), uuid4()
APPOINTMENT = uuid4()
R1, R2 = uuid4(), uuid4()


def received(quantity: int, at: datetime = T0, source: str = "supplier") -> StockReceived:
    return StockReceived(part_number=PN, quantity=quantity, unit_cost=3200, source=source, received_at=at)


def reserved(rid: UUID, quantity: int, line: UUID = LINE, *, from_backorder: bool = False) -> PartsReserved:
    return PartsReserved(
        part_number=PN,
        reservation_id=rid,
        repair_order_id=RO,
        line_id=line,
        quantity=quantity,
        from_backorder=from_backorder,
        reserved_at=T0,
    )


def shortage(rid: UUID, missing: int, line: UUID = LINE, cause: str = "insufficient_stock") -> PartsShortageDetected:
    return PartsShortageDetected(
        part_number=PN,
        reservation_id=rid,
        repair_order_id=RO,
        line_id=line,
        missing_quantity=missing,
        withdrawn_quantity=missing if cause == "stocktake_loss" else 0,
        cause=cause,
        detected_at=T0,
    )


def issued(quantity: int, from_reservation: int = 0, rid: UUID | None = None) -> PartsIssued:
    return PartsIssued(
        part_number=PN,
        reservation_id=rid,
        repair_order_id=RO,
        line_id=LINE,
        quantity=quantity,
        from_reservation_quantity=from_reservation,
        issued_at=T0,
    )


def reserve(rid: UUID, quantity: int, line: UUID = LINE) -> Reserve:
    return Reserve(PN, rid, quantity, T0, repair_order_id=RO, line_id=line)
