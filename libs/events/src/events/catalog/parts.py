"""Published events of the parts service: stock per site, reservations, issues and returns,
shortages, emergency orders, inter-site transfers and old-part disposition (docs/domain.md §4).

Streams: `stock-<site_id>:<part_number>` (StockItem, STAR ServiceParts), `parts_order-<uuid>`
(STAR PartsOrder), `old_part-<uuid>`. Group and site travel in the envelope, not here.
Quantities are whole parts (> 0); money is an `int` in minor units; times are timezone-aware.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, Field, field_validator, model_validator

from events.catalog.parts_values import (
    OLD_PART_CHOICES,
    OLD_PART_DISPOSITIONS,
    ORDER_KINDS,
    SHORTAGE_CAUSES,
    STOCK_SOURCES,
    OrderLine,
    check_code,
    check_demand,
    normalise_part_number,
)
from events.contract import Event

OrderLines = tuple[OrderLine, ...]


class _PartEvent(Event):
    """Abstract base: every event about one part number (upper-cased, non-empty)."""

    part_number: str

    @field_validator("part_number")
    @classmethod
    def part_number_is_normalised(cls, value: str) -> str:
        return normalise_part_number(value)


class _ReservationEvent(_PartEvent):
    """Abstract base: an event about one reservation, for one RO line or one appointment."""

    reservation_id: UUID
    repair_order_id: UUID | None = None
    line_id: UUID | None = None
    appointment_id: UUID | None = None

    @model_validator(mode="after")
    def one_demand(self) -> _ReservationEvent:
        check_demand(self.repair_order_id, self.line_id, self.appointment_id)
        return self


def _unique_line_numbers(lines: OrderLines) -> OrderLines:
    numbers = [line.line_number for line in lines]
    if len(set(numbers)) != len(numbers):
        raise ValueError("order line numbers must be unique")
    return lines


# An order's lines: at least one, each line number once.
NumberedLines = Annotated[OrderLines, Field(min_length=1), AfterValidator(_unique_line_numbers)]


# --- StockItem (`stock-<site_id>:<part_number>`) -------------------------------------------


class StockReceived(_PartEvent, type="parts.StockReceived", version=1):
    """Parts were put on the shelf of this site: a supplier delivery, a transfer, or a return."""

    quantity: int = Field(gt=0)
    unit_cost: int = Field(ge=0)
    source: str
    parts_order_id: UUID | None = None
    received_at: AwareDatetime

    @field_validator("source")
    @classmethod
    def source_is_known(cls, value: str) -> str:
        return check_code(value, STOCK_SOURCES, "source")


class StockAdjusted(_PartEvent, type="parts.StockAdjusted", version=1):
    """A stocktake counted a different on-hand quantity than the books said."""

    previous_quantity: int = Field(ge=0)
    counted_quantity: int = Field(ge=0)
    reason: str
    adjusted_at: AwareDatetime

    @model_validator(mode="after")
    def counted_differs(self) -> StockAdjusted:
        if self.counted_quantity == self.previous_quantity:
            raise ValueError("a stock adjustment changes the on-hand quantity")
        return self

    @property
    def difference(self) -> int:
        return self.counted_quantity - self.previous_quantity


class PartsReserved(_ReservationEvent, type="parts.PartsReserved", version=1):
    """Parts on hand were held for a RO line or an appointment.

    `from_backorder` is true when the parts fill a shortage detected earlier (the job that
    waited for them can go on)."""

    quantity: int = Field(gt=0)
    from_backorder: bool = False
    reserved_at: AwareDatetime


class PartsShortageDetected(_ReservationEvent, type="parts.PartsShortageDetected", version=1):
    """A reservation lacks `missing_quantity` parts: the job waits for parts, the customer is told.

    Cause `insufficient_stock`: the reservation found too little free stock. Cause
    `stocktake_loss`: a stocktake counted fewer parts than were held, and `withdrawn_quantity`
    parts were taken back from this reservation."""

    missing_quantity: int = Field(gt=0)
    withdrawn_quantity: int = Field(default=0, ge=0)
    cause: str
    detected_at: AwareDatetime

    @field_validator("cause")
    @classmethod
    def cause_is_known(cls, value: str) -> str:
        return check_code(value, SHORTAGE_CAUSES, "cause")

    @model_validator(mode="after")
    def withdrawn_only_by_stocktake(self) -> PartsShortageDetected:
        # A stocktake loss takes back exactly the missing parts; a reservation takes none back.
        expected = self.missing_quantity if self.cause == "stocktake_loss" else 0
        if self.withdrawn_quantity != expected:
            raise ValueError(f"withdrawn_quantity must be {expected} for cause {self.cause!r}")
        return self


class ReservationReleased(_ReservationEvent, type="parts.ReservationReleased", version=1):
    """A reservation was given up: held parts are free again, its back-order wait is cancelled."""

    released_quantity: int = Field(ge=0)
    cancelled_backorder_quantity: int = Field(ge=0)
    reason: str
    released_at: AwareDatetime


class PartsIssued(_PartEvent, type="parts.PartsIssued", version=1):
    """Parts left the store for a job (a RO line); `from_reservation_quantity` of them were held."""

    reservation_id: UUID | None = None
    repair_order_id: UUID
    line_id: UUID
    quantity: int = Field(gt=0)
    from_reservation_quantity: int = Field(ge=0)
    issued_at: AwareDatetime

    @model_validator(mode="after")
    def reserved_part_within_quantity(self) -> PartsIssued:
        if self.from_reservation_quantity > self.quantity:
            raise ValueError("from_reservation_quantity cannot exceed quantity")
        if self.reservation_id is None and self.from_reservation_quantity:
            raise ValueError("parts from a reservation need the reservation_id")
        return self


class PartsReturned(_PartEvent, type="parts.PartsReturned", version=1):
    """Unused parts issued to a RO line came back to the shelf."""

    repair_order_id: UUID
    line_id: UUID
    quantity: int = Field(gt=0)
    returned_at: AwareDatetime


class StockTransferredOut(_PartEvent, type="parts.StockTransferredOut", version=1):
    """Parts left this site's shelf for another site of the group (an inter-site transfer)."""

    parts_order_id: UUID
    to_site_id: UUID
    quantity: int = Field(gt=0)
    dispatched_at: AwareDatetime


# --- PartsOrder (`parts_order-<uuid>`) -----------------------------------------------------


class PartsOrdered(Event, type="parts.PartsOrdered", version=1):
    """An emergency order went to a supplier, for a shortage on the listed RO lines."""

    parts_order_id: UUID
    supplier: str = Field(min_length=1)
    lines: NumberedLines
    expected_at: AwareDatetime
    ordered_at: AwareDatetime


class PartsTransferRequested(Event, type="parts.PartsTransferRequested", version=1):
    """A site asked another site of the same dealer group for parts."""

    parts_order_id: UUID
    from_site_id: UUID
    to_site_id: UUID
    lines: NumberedLines
    requested_at: AwareDatetime


class PartsTransferDispatched(Event, type="parts.PartsTransferDispatched", version=1):
    """The giving site sent the requested parts on their way."""

    parts_order_id: UUID
    from_site_id: UUID
    to_site_id: UUID
    lines: NumberedLines
    dispatched_at: AwareDatetime


class PartsReceived(_PartEvent, type="parts.PartsReceived", version=1):
    """One line of a PartsOrder arrived, whole or in part; `back_ordered_quantity` is still due.
    `unit_cost` is the order line's (minor units per part), absent when the order named none."""

    parts_order_id: UUID
    order_kind: str
    line_number: int = Field(ge=1)
    quantity: int = Field(gt=0)
    back_ordered_quantity: int = Field(ge=0)
    repair_order_id: UUID | None = None
    line_id: UUID | None = None
    received_at: AwareDatetime
    unit_cost: int | None = Field(default=None, ge=0)

    @field_validator("order_kind")
    @classmethod
    def order_kind_is_known(cls, value: str) -> str:
        return check_code(value, ORDER_KINDS, "order_kind")


class PartsOrderCancelled(Event, type="parts.PartsOrderCancelled", version=1):
    """The order was called off; `cancelled_lines` carry the quantities that will not come."""

    parts_order_id: UUID
    order_kind: str
    cancelled_lines: OrderLines
    reason: str = Field(min_length=1)
    cancelled_at: AwareDatetime

    @field_validator("order_kind")
    @classmethod
    def order_kind_is_known(cls, value: str) -> str:
        return check_code(value, ORDER_KINDS, "order_kind")


# --- OldPart (`old_part-<uuid>`) -----------------------------------------------------------


class OldPartRecorded(_PartEvent, type="parts.OldPartRecorded", version=1):
    """A part taken off the car was recorded with the customer's choice (keep or discard)."""

    old_part_id: UUID
    repair_order_id: UUID
    line_id: UUID
    quantity: int = Field(gt=0)
    warranty: bool
    customer_choice: str
    recorded_at: AwareDatetime

    @field_validator("customer_choice")
    @classmethod
    def choice_is_known(cls, value: str) -> str:
        return check_code(value, OLD_PART_CHOICES, "customer_choice")


class OldPartDisposed(Event, type="parts.OldPartDisposed", version=1):
    """The old part left the site: to the customer, back to the manufacturer, or scrapped."""

    old_part_id: UUID
    repair_order_id: UUID
    disposition: str
    reference: str | None = None
    disposed_at: AwareDatetime

    @field_validator("disposition")
    @classmethod
    def disposition_is_known(cls, value: str) -> str:
        return check_code(value, OLD_PART_DISPOSITIONS, "disposition")
