"""What the parts API accepts (request bodies, validated: 422 with field errors) and answers (views)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from parts.domain.old_part import OldPart
from parts.domain.parts_order import OrderLineRequest, PartsOrder
from parts.domain.stock_state import StockItem


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReceiptBody(Body):
    quantity: int = Field(gt=0, le=100_000)
    unit_cost: int = Field(ge=0, description="minor units (fen)")
    source: str = Field(default="supplier", description="supplier, transfer or return")


class CountBody(Body):
    counted_quantity: int = Field(ge=0, le=1_000_000)
    reason: str = Field(min_length=1, max_length=500)


class ReserveBody(Body):
    reservation_id: UUID = Field(default_factory=uuid4)
    quantity: int = Field(gt=0, le=10_000)
    repair_order_id: UUID | None = None
    line_id: UUID | None = None
    appointment_id: UUID | None = None


class ReleaseBody(Body):
    reason: str = Field(min_length=1, max_length=500)


class IssueBody(Body):
    repair_order_id: UUID
    line_id: UUID
    quantity: int = Field(gt=0, le=10_000)
    reservation_id: UUID | None = None


class ReturnBody(Body):
    repair_order_id: UUID
    line_id: UUID
    quantity: int = Field(gt=0, le=10_000)


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
    supplier: str = Field(min_length=1, max_length=200)
    lines: list[OrderLineBody] = Field(min_length=1, max_length=100)
    expected_at: AwareDatetime


class TransferBody(Body):
    from_site_id: UUID
    lines: list[OrderLineBody] = Field(min_length=1, max_length=100)


class ReceivedLineBody(Body):
    line_number: int = Field(ge=1)
    quantity: int = Field(gt=0, le=10_000)


class OrderReceiptBody(Body):
    lines: list[ReceivedLineBody] = Field(min_length=1, max_length=100)


class OldPartBody(Body):
    repair_order_id: UUID
    line_id: UUID
    part_number: str = Field(min_length=1, max_length=40)
    quantity: int = Field(gt=0, le=1000)
    warranty: bool
    customer_choice: str = Field(description="keep or discard")


class DispositionBody(Body):
    disposition: str = Field(description="returned_to_customer, returned_to_manufacturer or scrapped")
    reference: str | None = Field(default=None, max_length=200)


# --- views ----------------------------------------------------------------------------------


def stock_view(state: StockItem, part_number: str, version: int) -> dict[str, Any]:
    return {
        "part_number": state.part_number or part_number.upper(),
        "on_hand": state.on_hand,
        "reserved": state.reserved,
        "available": state.available,
        "backordered": sum(r.waiting for r in state.reservations.values()),
        "unit_cost": state.unit_cost,
        "reservations": [
            {
                "reservation_id": str(r.reservation_id),
                "repair_order_id": str(r.repair_order_id) if r.repair_order_id else None,
                "line_id": str(r.line_id) if r.line_id else None,
                "appointment_id": str(r.appointment_id) if r.appointment_id else None,
                "held": r.held,
                "waiting": r.waiting,
            }
            for r in state.reservations.values()
        ],
        "version": version,
    }


def order_view(state: PartsOrder, version: int) -> dict[str, Any]:
    return {
        "parts_order_id": str(state.parts_order_id),
        "kind": state.kind,
        "status": "complete" if state.is_complete else state.status,
        "from_site_id": str(state.from_site_id) if state.from_site_id else None,
        "to_site_id": str(state.to_site_id) if state.to_site_id else None,
        "lines": [{**line.model_dump(mode="json"), "outstanding": state.outstanding(line)} for line in state.lines],
        "version": version,
    }


def old_part_view(state: OldPart, version: int) -> dict[str, Any]:
    return {
        "old_part_id": str(state.old_part_id),
        "repair_order_id": str(state.repair_order_id),
        "warranty": state.warranty,
        "customer_choice": state.customer_choice,
        "disposition": state.disposition,
        "version": version,
    }
