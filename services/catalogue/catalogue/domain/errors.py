"""The catalogue's refusals. Bad input is a 422 naming the field (`Unprocessable`: a date in the
past, an unknown labour operation or part); a rule of the site's state is a `DomainError` (409)."""

from __future__ import annotations

from dataclasses import dataclass

from events.errors import DomainError, EventsError


@dataclass(frozen=True)
class FieldError:
    field: str  # where: "query.effective_from", "body.labour_operations", …
    message: str
    type: str


class Unprocessable(EventsError):
    """The request names something that cannot be (HTTP 422, with its field errors)."""

    def __init__(self, code: str, message: str, fields: list[FieldError]) -> None:
        self.code = code
        self.fields = fields
        super().__init__(message)


def effective_in_the_past(field: str, effective_from: str, today: str) -> Unprocessable:
    # Past versions are never changed: what was quoted or signed on a day stays explainable.
    message = f"{effective_from} is before today ({today}) at the site: a change takes effect from today or later"
    return Unprocessable("effective_in_the_past", message, [FieldError(field, message, "effective_in_the_past")])


class NoLabourRate(DomainError):
    """The site has no labour rate for the pay type on that date: set one (PUT labour-rates)."""

    code = "no_labour_rate"
