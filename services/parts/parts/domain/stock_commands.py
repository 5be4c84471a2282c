"""The commands of a StockItem (`stock_item`): what the parts clerk, the workshop's and
reception's reactions, and the receipt of orders ask of one part number at one site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class RepairOrderLine:
    repair_order_id: UUID
    line_id: UUID


@dataclass(frozen=True)
class ReceiveStock:
    """Parts arrive: from a supplier, another site (transfer) or a return. `priority_lines` are
    the RO lines the delivery was ordered for (an emergency order): they are served first.
    `unit_cost` None: the cost is not known (an order line without one), the item's last is used."""

    part_number: str
    quantity: int
    unit_cost: int | None
    source: str
    received_at: datetime
    parts_order_id: UUID | None = None
    priority_lines: tuple[RepairOrderLine, ...] = ()


@dataclass(frozen=True)
class AdjustStock:
    """A stocktake counted `counted_quantity` parts on the shelf."""

    part_number: str
    counted_quantity: int
    reason: str
    adjusted_at: datetime


@dataclass(frozen=True)
class Reserve:
    """Hold parts for a RO line (repair_order_id + line_id) or for an appointment."""

    part_number: str
    reservation_id: UUID
    quantity: int
    requested_at: datetime
    repair_order_id: UUID | None = None
    line_id: UUID | None = None
    appointment_id: UUID | None = None


@dataclass(frozen=True)
class ReleaseReservation:
    part_number: str
    reservation_id: UUID
    reason: str
    released_at: datetime


@dataclass(frozen=True)
class Issue:
    """Hand parts to the job of a RO line, from its reservation (if given) and free stock."""

    part_number: str
    repair_order_id: UUID
    line_id: UUID
    quantity: int
    issued_at: datetime
    reservation_id: UUID | None = None


@dataclass(frozen=True)
class ReturnParts:
    """Unused parts issued to a RO line come back to the shelf."""

    part_number: str
    repair_order_id: UUID
    line_id: UUID
    quantity: int
    returned_at: datetime


@dataclass(frozen=True)
class TransferOut:
    """Parts leave for another site of the group, for an inter-site transfer order."""

    part_number: str
    parts_order_id: UUID
    to_site_id: UUID
    quantity: int
    dispatched_at: datetime


StockCommand = ReceiveStock | AdjustStock | Reserve | ReleaseReservation | Issue | ReturnParts | TransferOut
