"""Refusals shared by the parts aggregates, and the checks that raise them.

Each error has a stable `code` (the HTTP layer maps every `DomainError` to 409) and is raised
with a message that says which rule was broken."""

from __future__ import annotations

from uuid import UUID

from events.catalog.parts_values import check_demand, normalise_part_number
from events.errors import DomainError


class InvalidQuantity(DomainError):
    """Quantities are whole parts, at least one."""

    code = "invalid_quantity"


class InvalidPartNumber(DomainError):
    code = "invalid_part_number"


class InvalidDemand(DomainError):
    """Parts are wanted by one RO line or one appointment (never both, never neither)."""

    code = "invalid_demand"


class MissingReason(DomainError):
    code = "reason_required"


class InvalidUnitCost(DomainError):
    """Costs are minor units (fen) per part: zero or more."""

    code = "invalid_unit_cost"


class InsufficientStock(DomainError):
    """Only reserved or free stock may leave the shelf; on-hand never goes below zero."""

    code = "insufficient_stock"


def require_positive(quantity: int, what: str = "quantity") -> int:
    if quantity <= 0:
        raise InvalidQuantity(f"{what} must be a whole number of parts above zero; got {quantity}")
    return quantity


def require_unit_cost(cost: int | None, what: str = "unit cost") -> int | None:
    if cost is not None and cost < 0:
        raise InvalidUnitCost(f"{what} is in minor units and cannot be negative; got {cost}")
    return cost


def require_part_number(raw: str) -> str:
    try:
        return normalise_part_number(raw)
    except ValueError:
        raise InvalidPartNumber("a part number is required") from None


def require_reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise MissingReason(f"give a reason for {what}")
    return reason.strip()


def require_demand(repair_order_id: UUID | None, line_id: UUID | None, appointment_id: UUID | None) -> None:
    try:
        check_demand(repair_order_id, line_id, appointment_id)
    except ValueError:
        raise InvalidDemand(
            "reserve either for a repair-order line (repair order and line) or for an appointment"
        ) from None
