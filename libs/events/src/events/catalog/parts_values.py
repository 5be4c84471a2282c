"""Value objects and code lists of the parts service's published events (`events.catalog.parts`).

STAR nouns: ServiceParts (stock, reservations, issues) and PartsOrder (emergency orders,
inter-site transfers). Code lists are strings checked against the tuples below, never JSON
`enum`s, so a new value does not break old readers (docs/contract.md "Versioning").
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from events.rules import check_code as check_code

# Where received stock comes from.
STOCK_SOURCES = ("supplier", "transfer", "return")
# Why a shortage was detected: a reservation found too little free stock, or a stocktake
# counted fewer parts than were held for reservations.
SHORTAGE_CAUSES = ("insufficient_stock", "stocktake_loss")
# The two kinds of PartsOrder.
ORDER_KINDS = ("emergency", "transfer")
# What the customer chose at reception for the old parts (seed 003: "旧件处理方式要征求客户意见").
OLD_PART_CHOICES = ("keep", "discard")
# What finally happened to an old part; warranty parts go back to the manufacturer (seed 003).
OLD_PART_DISPOSITIONS = ("returned_to_customer", "returned_to_manufacturer", "scrapped")


def normalise_part_number(value: str) -> str:
    """Part numbers are compared upper-cased and without surrounding blanks; empty is refused."""
    cleaned = value.strip().upper()
    if not cleaned:
        raise ValueError("part number must not be empty")
    return cleaned


def check_demand(repair_order_id: UUID | None, line_id: UUID | None, appointment_id: UUID | None) -> None:
    """Parts are wanted either by one repair-order line or by one appointment, never both or neither."""
    for_line = repair_order_id is not None and line_id is not None
    half_line = (repair_order_id is None) != (line_id is None)
    if half_line or for_line == (appointment_id is not None):
        raise ValueError("give either repair_order_id with line_id, or appointment_id")


class OrderLine(BaseModel):
    """One line of a PartsOrder: a part, a quantity and, optionally, the RO line it is for.

    `unit_cost` (minor units, per part) is what the site pays: the supplier's price on an
    emergency order, the giving site's cost once a transfer is dispatched; absent when unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_number: int = Field(ge=1)
    part_number: str
    quantity: int = Field(gt=0)
    repair_order_id: UUID | None = None
    line_id: UUID | None = None
    unit_cost: int | None = Field(default=None, ge=0)

    @field_validator("part_number")
    @classmethod
    def part_number_is_normalised(cls, value: str) -> str:
        return normalise_part_number(value)

    @model_validator(mode="after")
    def whole_line_reference(self) -> OrderLine:
        if (self.repair_order_id is None) != (self.line_id is None):
            raise ValueError("an order line is for a whole RO line: give repair_order_id and line_id")
        return self
