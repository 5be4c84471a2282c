"""What the parts API accepts (request bodies, validated: 422 with field errors) and answers (views)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue
from pydantic.config import JsonDict

from parts.domain.old_part import DisposeOldPart, OldPart, RecordOldPart
from parts.domain.parts_order import (
    CancelOrder,
    OrderLineRequest,
    PartsOrder,
    PlaceEmergencyOrder,
    ReceivedLine,
    ReceiveOrder,
)
from parts.domain.stock_commands import AdjustStock, Issue, ReceiveStock, ReleaseReservation, Reserve, ReturnParts
from parts.domain.stock_state import StockItem


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _examples(*examples: JsonDict) -> ConfigDict:
    """A body's config with the examples its OpenAPI schema shows."""
    shown: list[JsonValue] = [*examples]
    return ConfigDict(extra="forbid", json_schema_extra={"examples": shown})


class ReceiptBody(Body):
    model_config = _examples({"quantity": 12, "unit_cost": 3200, "source": "supplier"})

    quantity: int = Field(gt=0, le=100_000)
    unit_cost: int = Field(ge=0, description="minor units (fen)")
    source: str = Field(default="supplier", description="supplier, transfer or return")

    def command(self, part_number: str, at: datetime) -> ReceiveStock:
        return ReceiveStock(part_number, self.quantity, self.unit_cost, self.source, at)


class CountBody(Body):
    counted_quantity: int = Field(ge=0, le=1_000_000)
    reason: str = Field(min_length=1, max_length=500)

    def command(self, part_number: str, at: datetime) -> AdjustStock:
        return AdjustStock(part_number, self.counted_quantity, self.reason, at)


class ReserveBody(Body):
    model_config = _examples(
        {
            "quantity": 1,
            "repair_order_id": "0b7e4f5c-3d1a-4e8b-9c2f-6a5d4e3b2c10",
            "line_id": "5f2c8e1a-7b3d-4c9e-8a6f-1d2e3c4b5a60",
        }
    )

    reservation_id: UUID = Field(default_factory=uuid4)
    quantity: int = Field(gt=0, le=10_000)
    repair_order_id: UUID | None = None
    line_id: UUID | None = None
    appointment_id: UUID | None = None

    def command(self, part_number: str, at: datetime) -> Reserve:
        return Reserve(
            part_number, self.reservation_id, self.quantity, at, self.repair_order_id, self.line_id, self.appointment_id
        )


class ReleaseBody(Body):
    reason: str = Field(min_length=1, max_length=500)

    def command(self, part_number: str, reservation_id: UUID, at: datetime) -> ReleaseReservation:
        return ReleaseReservation(part_number, reservation_id, self.reason, at)


class CancelBody(Body):
    reason: str = Field(min_length=1, max_length=500)

    def command(self, at: datetime) -> CancelOrder:
        return CancelOrder(self.reason, at)


class IssueBody(Body):
    repair_order_id: UUID
    line_id: UUID
    quantity: int = Field(gt=0, le=10_000)
    reservation_id: UUID | None = None

    def command(self, part_number: str, at: datetime) -> Issue:
        return Issue(part_number, self.repair_order_id, self.line_id, self.quantity, at, self.reservation_id)


class ReturnBody(Body):
    repair_order_id: UUID
    line_id: UUID
    quantity: int = Field(gt=0, le=10_000)

    def command(self, part_number: str, at: datetime) -> ReturnParts:
        return ReturnParts(part_number, self.repair_order_id, self.line_id, self.quantity, at)


class OrderLineBody(Body):
    part_number: str = Field(min_length=1, max_length=40)
    quantity: int = Field(gt=0, le=10_000)
    repair_order_id: UUID | None = None
    line_id: UUID | None = None
    unit_cost: int | None = Field(
        default=None,
        ge=0,
        description="minor units (fen) per part, the supplier's price; without it the parts are received "
        "at the part's latest cost at this site",
    )

    def request(self) -> OrderLineRequest:
        return OrderLineRequest(self.part_number, self.quantity, self.repair_order_id, self.line_id, self.unit_cost)


class EmergencyOrderBody(Body):
    model_config = _examples(
        {
            "supplier": "FAW-VW Tianjin",
            "expected_at": "2025-03-14T15:00:00+08:00",
            "lines": [
                {
                    "part_number": "06A115561B",
                    "quantity": 1,
                    "repair_order_id": "0b7e4f5c-3d1a-4e8b-9c2f-6a5d4e3b2c10",
                    "line_id": "5f2c8e1a-7b3d-4c9e-8a6f-1d2e3c4b5a60",
                    "unit_cost": 3200,
                }
            ],
        }
    )

    supplier: str = Field(min_length=1, max_length=200)
    lines: list[OrderLineBody] = Field(min_length=1, max_length=100)
    expected_at: AwareDatetime

    def command(self, parts_order_id: UUID, at: datetime) -> PlaceEmergencyOrder:
        lines = tuple(line.request() for line in self.lines)
        return PlaceEmergencyOrder(parts_order_id, self.supplier, lines, self.expected_at, at)


class TransferBody(Body):
    from_site_id: UUID
    lines: list[OrderLineBody] = Field(min_length=1, max_length=100)


class ReceivedLineBody(Body):
    line_number: int = Field(ge=1)
    quantity: int = Field(gt=0, le=10_000)


class OrderReceiptBody(Body):
    model_config = _examples({"lines": [{"line_number": 1, "quantity": 1}]})

    lines: list[ReceivedLineBody] = Field(min_length=1, max_length=100)

    def command(self, at: datetime) -> ReceiveOrder:
        return ReceiveOrder(tuple(ReceivedLine(line.line_number, line.quantity) for line in self.lines), at)


class OldPartBody(Body):
    repair_order_id: UUID
    line_id: UUID
    part_number: str = Field(min_length=1, max_length=40)
    quantity: int = Field(gt=0, le=1000)
    warranty: bool
    customer_choice: str = Field(description="keep or discard")

    def command(self, old_part_id: UUID, at: datetime) -> RecordOldPart:
        return RecordOldPart(
            old_part_id,
            self.repair_order_id,
            self.line_id,
            self.part_number,
            self.quantity,
            self.warranty,
            self.customer_choice,
            at,
        )


class DispositionBody(Body):
    disposition: str = Field(description="returned_to_customer, returned_to_manufacturer or scrapped")
    reference: str | None = Field(default=None, max_length=200)

    def command(self, at: datetime) -> DisposeOldPart:
        return DisposeOldPart(self.disposition, at, self.reference)


# --- views ----------------------------------------------------------------------------------
# What every answer holds; `version` is the record's stream version, the `If-Match` of the
# next command on it.


class ReservationView(BaseModel):
    reservation_id: UUID
    repair_order_id: UUID | None
    line_id: UUID | None
    appointment_id: UUID | None
    held: int = Field(description="parts on the shelf kept for this reservation")
    waiting: int = Field(description="parts still awaited (back-ordered)")


class StockView(BaseModel):
    part_number: str
    on_hand: int
    reserved: int
    available: int = Field(description="on hand and not reserved")
    backordered: int
    unit_cost: int | None = Field(description="minor units (fen) per part, of the latest receipt")
    reservations: list[ReservationView]
    version: int


class StockLevelView(BaseModel):
    """A row of the site's stock list (a read model: it follows the log by a moment)."""

    part_number: str
    on_hand: int
    reserved: int
    available: int
    backordered: int
    updated_at: datetime


class OrderLineView(BaseModel):
    line_number: int
    part_number: str
    quantity: int
    repair_order_id: UUID | None
    line_id: UUID | None
    unit_cost: int | None = Field(description="minor units (fen) per part")
    outstanding: int = Field(description="still to be received")


class OrderView(BaseModel):
    parts_order_id: UUID
    kind: str | None = Field(description="emergency or transfer")
    status: str = Field(description="open, in_transit, complete or cancelled")
    from_site_id: UUID | None
    to_site_id: UUID | None
    lines: list[OrderLineView]
    version: int


class OrderListView(BaseModel):
    """A row of the site's orders and transfers list (a read model: it follows the log by a moment)."""

    parts_order_id: UUID
    site_id: str = Field(description="the ordering (receiving) site")
    kind: str
    status: str = Field(description="ordered, requested, in_transit, partly_received, received or cancelled")
    supplier: str | None
    from_site_id: str | None = Field(description="the giving site of a transfer")
    expected_at: datetime | None
    lines: str = Field(description="the order lines, as JSON text")
    outstanding: int = Field(description="parts still to be received, all lines together")
    updated_at: datetime


class OldPartView(BaseModel):
    old_part_id: UUID
    repair_order_id: UUID
    warranty: bool
    customer_choice: str | None
    disposition: str | None
    version: int


def stock_view(state: StockItem, part_number: str, version: int) -> StockView:
    return StockView(
        part_number=state.part_number or part_number.upper(),
        on_hand=state.on_hand,
        reserved=state.reserved,
        available=state.available,
        backordered=sum(r.waiting for r in state.reservations.values()),
        unit_cost=state.unit_cost,
        reservations=[
            ReservationView(
                reservation_id=r.reservation_id,
                repair_order_id=r.repair_order_id,
                line_id=r.line_id,
                appointment_id=r.appointment_id,
                held=r.held,
                waiting=r.waiting,
            )
            for r in state.reservations.values()
        ],
        version=version,
    )


def order_view(state: PartsOrder, version: int) -> OrderView:
    assert state.parts_order_id is not None  # only placed orders are shown
    return OrderView(
        parts_order_id=state.parts_order_id,
        kind=state.kind,
        status="complete" if state.is_complete else state.status,
        from_site_id=state.from_site_id,
        to_site_id=state.to_site_id,
        lines=[OrderLineView(**line.model_dump(), outstanding=state.outstanding(line)) for line in state.lines],
        version=version,
    )


def old_part_view(state: OldPart, version: int) -> OldPartView:
    # Only recorded old parts are shown (a route loads or records one first).
    assert state.old_part_id is not None
    assert state.repair_order_id is not None
    return OldPartView(
        old_part_id=state.old_part_id,
        repair_order_id=state.repair_order_id,
        warranty=state.warranty,
        customer_choice=state.customer_choice,
        disposition=state.disposition,
        version=version,
    )
