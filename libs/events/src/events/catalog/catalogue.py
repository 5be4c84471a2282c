"""Published events of the catalogue service: labour operations, labour rates and service menus,
each change taking effect from a date (`effective_from`, a calendar date at the site).

The catalogue's data lives in versioned tables written in the same transaction as these events
(docs/decisions/0014-catalogue-data-in-versioned-tables.md): an import of a labour-time file is
one `LabourOperationsImported` naming the import and its row count, not one event per row; a
single edit, a site's labour rates and a service menu are small, so their events carry the
whole new version.

Streams: `labour_import-<import_id>` (one per import), `labour_change-<change_id>` (one per
edit), `labour_rates-<site_id>`, `service_menu-<site_id>-<menu_id>`. `scope` is `group` (the
whole dealer group: every site sees it) or `site` (an override seen only at the event's site).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from events.catalog.reception_values import PAY_TYPES
from events.contract import Event
from events.rules import check_code

SCOPES = ("group", "site")
# A row naming this family applies to every model family without a row of its own.
EVERY_FAMILY = "*"


def _scope(value: str) -> str:
    return check_code(value, SCOPES, "scope")


class LabourOperationsImported(Event, type="catalogue.LabourOperationsImported", version=1):
    """A labour-time file was imported: `rows` rows (code and model family), in force from
    `effective_from`, for the whole group or only the event's site. The rows are in the
    catalogue's versioned table under `import_id`; `sha256` identifies the file imported."""

    import_id: UUID
    scope: str
    effective_from: date
    rows: int = Field(ge=1)
    operations: int = Field(ge=1, description="distinct labour operation codes in the file")
    sha256: str = Field(min_length=64, max_length=64)
    imported_by: str = Field(min_length=1)

    _scope_is_known = field_validator("scope")(_scope)


class LabourOperationChanged(Event, type="catalogue.LabourOperationChanged", version=1):
    """One labour operation for one model family edited, in force from `effective_from`."""

    change_id: UUID
    scope: str
    code: str = Field(min_length=1)
    model_family: str = Field(min_length=1)
    description_zh: str = Field(min_length=1)
    description_en: str = Field(min_length=1)
    flat_rate_minutes: int = Field(ge=0)
    skill_level: int = Field(ge=1)
    effective_from: date
    changed_by: str = Field(min_length=1)

    _scope_is_known = field_validator("scope")(_scope)


class LabourRatesSet(Event, type="catalogue.LabourRatesSet", version=1):
    """The site's labour rates (fen per hour, per pay type), in force from `effective_from`.
    A pay type without a rate cannot be quoted at the site."""

    site_id: str
    rates: dict[str, int]
    effective_from: date
    set_by: str = Field(min_length=1)

    @field_validator("rates")
    @classmethod
    def rates_are_known(cls, value: dict[str, int]) -> dict[str, int]:
        for pay_type, rate in value.items():
            check_code(pay_type, PAY_TYPES, "pay type")
            if rate < 0:
                raise ValueError(f"the rate of {pay_type} is negative")
        return value


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MenuPart(_Value):
    """A part of a menu item and how many of it."""

    part_number: str = Field(min_length=1)
    quantity: int = Field(gt=0)


class MenuItem(_Value):
    """One labour operation of a menu, with its parts."""

    labour_operation: str = Field(min_length=1)
    parts: tuple[MenuPart, ...] = ()


class ServiceMenuSet(Event, type="catalogue.ServiceMenuSet", version=1):
    """A site's service menu for one model family (what a service at this interval includes),
    in force from `effective_from`. A menu is due every `interval_km` or `interval_months`,
    whichever comes first."""

    menu_id: str = Field(min_length=1)
    model_family: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    interval_km: int = Field(gt=0)
    interval_months: int = Field(gt=0)
    items: tuple[MenuItem, ...] = Field(min_length=1)
    effective_from: date
    set_by: str = Field(min_length=1)
