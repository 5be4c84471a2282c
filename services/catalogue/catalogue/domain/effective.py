"""When a change takes effect: from a date at the site, today by default, never in the past (a
past version is never changed, so a quote or a signed estimate of that day stays what it was)."""

from __future__ import annotations

from datetime import date

from catalogue.domain.errors import effective_in_the_past


def effective_from(requested: date | None, today: date, *, field: str = "query.effective_from") -> date:
    """The date a change takes effect: `requested`, or today at the site; refused when in the past."""
    if requested is None:
        return today
    if requested < today:
        raise effective_in_the_past(field, requested.isoformat(), today.isoformat())
    return requested
