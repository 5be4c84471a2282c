"""Refusals shared by the booking aggregates, and the small checks that raise them.

Each error has a stable `code` (the HTTP layer maps every `DomainError` to 409) and is raised
with a message that says which rule was broken and what to do instead. Errors that belong to
one aggregate live in that aggregate's module."""

from __future__ import annotations

from datetime import datetime

from events.catalog.booking_values import check_vin
from events.errors import DomainError
from events.rules import InvalidAmount as InvalidAmount
from events.rules import InvalidCode as InvalidCode
from events.rules import MissingInformation as MissingInformation
from events.rules import require_code as require_code
from events.rules import require_text as require_text


class TimeOutOfOrder(DomainError):
    """A time that cannot be: a slot booked in the past, a confirmation after the slot."""

    code = "time_out_of_order"


class NothingToChange(DomainError):
    code = "nothing_to_change"


class InvalidVin(DomainError):
    code = "invalid_vin"


def require_positive(value: int, what: str) -> int:
    if value <= 0:
        raise InvalidAmount(f"{what} must be more than zero; got {value}")
    return value


def require_not_negative(value: int | None, what: str) -> int | None:
    if value is not None and value < 0:
        raise InvalidAmount(f"{what} cannot be negative; got {value}")
    return value


def require_future(moment: datetime, now: datetime, what: str) -> datetime:
    if moment <= now:
        raise TimeOutOfOrder(f"{what} ({moment.isoformat()}) has already begun; choose a later one")
    return moment


def require_vin(value: str) -> str:
    """Upper-case it, then insist on 17 characters without I, O or Q (letters that look like
    digits are never used in a VIN: a typo, not a car)."""
    cleaned = value.strip().upper()
    try:
        return check_vin(cleaned)
    except ValueError as error:
        raise InvalidVin(str(error)) from None
