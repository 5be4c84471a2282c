"""Checks every domain makes of its inputs, with the errors they raise (HTTP 409 with a code).

Code lists are plain strings checked against published tuples (docs/contract.md "Versioning"): a
new value does not break old readers' schemas, so the check lives in code, here, once."""

from __future__ import annotations

from events.errors import DomainError


def check_code(value: str, allowed: tuple[str, ...], what: str) -> str:
    """For contracts' validators: `value` must be in the published code list."""
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return value


class InvalidCode(DomainError):
    """A code-list value (arrival kind, appointment reason, payment method, ...) not in its list."""

    code = "invalid_code"


class MissingInformation(DomainError):
    code = "missing_information"


class InvalidAmount(DomainError):
    """Money, minutes, mileage and quantities are never negative (and some never zero)."""

    code = "invalid_amount"


def require_code(value: str, allowed: tuple[str, ...], what: str) -> str:
    try:
        return check_code(value, allowed, what)
    except ValueError as error:
        raise InvalidCode(str(error)) from None


def require_text(value: str | None, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise MissingInformation(f"{what} is required")
    return cleaned
