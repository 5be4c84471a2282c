"""Who a campaign or recall is for (docs/reminders.md): selected from what followup knows of the
cars it has seen (model, VIN range, mileage at the last visit, the last visit's date), or
imported from the maker's list of VINs. Reading the list is pure: every bad row is reported with
its line and why, so the person importing can fix the file, and the good rows are kept once.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from events.rules import MissingInformation

# ISO 3779: 17 characters, digits and capital letters but I, O and Q (read as 1 and 0).
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_HEADER = "VIN"


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass(frozen=True)
class TargetSelection:
    """Cars matching every criterion given. VINs compare as text (makers number them in order)."""

    model: str | None = None
    vin_from: str | None = None
    vin_to: str | None = None
    min_mileage_km: int | None = None
    max_mileage_km: int | None = None
    last_visit_before: date | None = None
    last_visit_after: date | None = None

    def __post_init__(self) -> None:
        if all(value is None for value in vars(self).values()):
            raise MissingInformation("name at least one criterion: model, VIN range, mileage or last visit")


def read_vin_list(text: str) -> tuple[list[str], list[RowError]]:
    """The VINs of a CSV (the first column; a first row `vin` is a header) and its bad rows."""
    vins: list[str] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cell = row[0].strip().upper() if row else ""
        if line == 1 and cell == _HEADER:
            continue
        if not cell:
            continue  # blank lines are not rows
        if len(cell) != 17:
            errors.append(RowError(line, "not_17_characters"))
        elif not _VIN.fullmatch(cell):
            errors.append(RowError(line, "invalid_characters"))
        elif cell in seen:
            errors.append(RowError(line, "duplicate"))
        else:
            seen.add(cell)
            vins.append(cell)
    if not vins and not errors:
        errors.append(RowError(1, "no_vins"))
    return vins, errors
