"""Invoice numbers (docs/billing.md "Numbers"): per site and series, the `seq`-th invoice of the
series, never typed. The counter lives in the service's `billing_counters` row, allocated in the
transaction that records the invoice; this module only says how a number is written.

A series' format is a Python format string with two fields: `{year}` (the issue year at the
site) and `{seq}` (the counter, usually padded: `{seq:06d}`). The counter never restarts: the
year in a number says when it was issued, the counter keeps the series gap-free across years.
"""

from __future__ import annotations

import re
from string import Formatter

FIELDS = frozenset({"year", "seq"})
_SPEC = re.compile(r"0?[0-9]{0,2}d?")
# The series every site has; its numbers read SVC-2026-000001.
DEFAULT_SERIES = ("service",)
DEFAULT_FORMATS = {"service": "SVC-{year}-{seq:06d}"}


def default_format(series: str) -> str:
    """A series without a format of its own: its code in capitals, the year and six digits."""
    return DEFAULT_FORMATS.get(series, f"{series.upper()}-{{year}}-{{seq:06d}}")


def format_problem(text: str) -> str | None:
    """Why `text` is not a number format (None: it is one)."""
    if len(text) > 60:
        return "a number format is at most 60 characters"
    try:
        parts = [(name, spec) for _, name, spec, _ in Formatter().parse(text) if name is not None]
    except ValueError as error:
        return f"not a format: {error}"
    fields = {name for name, _ in parts}
    # Only a zero-padded width of up to two digits (`{seq:06d}`): a wider one would be formatted
    # into a string of any size before the length check could see it.
    if any(not _SPEC.fullmatch(spec or "") for _, spec in parts):
        return "a field's format is a width of at most two digits, e.g. {seq:06d}"
    if "seq" not in fields:
        return "a number format holds {seq}, the series' counter"
    if not fields <= FIELDS:
        return f"a number format uses only {{year}} and {{seq}}, not {sorted(fields - FIELDS)}"
    try:
        sample = text.format(year=2026, seq=1)
    except (ValueError, IndexError, KeyError) as error:
        return f"not a format: {error}"
    if not sample.strip() or len(sample) > 40:
        return "a number is 1 to 40 characters"
    return None


def number(format_text: str, year: int, seq: int) -> str:
    return format_text.format(year=year, seq=seq)
