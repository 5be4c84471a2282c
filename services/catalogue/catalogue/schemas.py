"""The catalogue API's bodies and views (docs/catalogue.md; the shapes agreed in issue 19).
Money is fen (int), times are minutes (int), dates ISO `YYYY-MM-DD`."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from catalogue.domain.labour import LabourOperation, LabourVersion
from catalogue.domain.labour_file import CODE, MAX_DESCRIPTION, MAX_MINUTES
from catalogue.domain.quotes import PartRequest, QuoteRequest
from catalogue.handlers import Quote
from events.catalog.catalogue import SCOPES, MenuItem
from events.catalog.reception_values import PAY_TYPES
from events.rules import check_code

Description = Field(min_length=1, max_length=MAX_DESCRIPTION)
Family = Field(min_length=1, max_length=64, description="the vehicle's model as reception knows it; * for every family")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def labour_code(value: str) -> str:
    code = value.strip().upper()
    if not CODE.fullmatch(code):
        raise ValueError(f"{value!r} is not a labour operation code (letters, digits and - . _ only)")
    return code


# --- labour operations -------------------------------------------------------------------------


class LabourOperationView(BaseModel):
    code: str
    description_zh: str
    description_en: str
    model_family: str
    flat_rate_minutes: int
    skill_level: int
    scope: str
    effective_from: date


def labour_view(version: LabourVersion) -> LabourOperationView:
    op = version.operation
    return LabourOperationView(
        code=op.code,
        description_zh=op.description_zh,
        description_en=op.description_en,
        model_family=op.model_family,
        flat_rate_minutes=op.flat_rate_minutes,
        skill_level=op.skill_level,
        scope=version.scope,
        effective_from=version.effective_from,
    )


def labour_row_view(row: Any) -> LabourOperationView:
    return LabourOperationView.model_validate({k: row[k] for k in LabourOperationView.model_fields})


class LabourOperationBody(_Body):
    """One labour operation for one model family, in force from `effective_from` (today at the site if
    omitted). `scope`: `site` (an override seen only at this site; service manager) or `group` (every
    site of the group; group admin)."""

    model_family: str = Family
    description_zh: str = Description
    description_en: str = Description
    flat_rate_minutes: int = Field(ge=0, le=MAX_MINUTES)
    skill_level: int = Field(ge=1, le=5)
    scope: str = "site"
    effective_from: date | None = None

    @field_validator("scope")
    @classmethod
    def scope_is_known(cls, value: str) -> str:
        return check_code(value, SCOPES, "scope")

    @field_validator("model_family")
    @classmethod
    def family_is_one(cls, value: str) -> str:
        if "*" in value and value != "*":
            raise ValueError("a model family, or * alone for every family")
        return value

    def operation(self, code: str) -> LabourOperation:
        return LabourOperation(
            code, self.model_family, self.description_zh, self.description_en, self.flat_rate_minutes, self.skill_level
        )


class ImportView(BaseModel):
    import_id: UUID
    rows: int
    operations: int
    effective_from: date
    scope: str
    sha256: str
    imported_by: str


# --- labour rates --------------------------------------------------------------------------------


class RatesBody(_Body):
    """The site's labour rates in fen per hour, per pay type (38000 = 380.00 CNY an hour)."""

    rates: dict[str, int] = Field(min_length=1)
    effective_from: date | None = None

    @field_validator("rates")
    @classmethod
    def rates_are_known(cls, value: dict[str, int]) -> dict[str, int]:
        for pay_type, rate in value.items():
            check_code(pay_type, PAY_TYPES, "pay type")
            if not 0 <= rate <= 10_000_000:
                raise ValueError(f"the rate of {pay_type} must be 0 to 10000000 fen an hour")
        return value


class RatesView(BaseModel):
    site_id: str
    effective_from: date
    rates: dict[str, int]
    version: int | None = Field(None, description="the rates stream's version (for If-Match); on PUT only")


# --- service menus -----------------------------------------------------------------------------


class MenuBody(_Body):
    """A service at one interval for one model family: its labour operations and their parts."""

    model_family: str = Family
    name_zh: str = Description
    name_en: str = Description
    interval_km: int = Field(gt=0, le=1_000_000)
    interval_months: int = Field(gt=0, le=120)
    items: tuple[MenuItem, ...] = Field(min_length=1, max_length=100)
    effective_from: date | None = None

    @field_validator("items")
    @classmethod
    def codes_are_upper(cls, items: tuple[MenuItem, ...]) -> tuple[MenuItem, ...]:
        return tuple(
            item.model_copy(
                update={
                    "labour_operation": labour_code(item.labour_operation),
                    "parts": tuple(
                        p.model_copy(update={"part_number": p.part_number.strip().upper()}) for p in item.parts
                    ),
                }
            )
            for item in items
        )


class MenuView(BaseModel):
    menu_id: str
    model_family: str
    name_zh: str
    name_en: str
    interval_km: int
    interval_months: int
    items: list[MenuItem]
    effective_from: date
    version: int | None = Field(None, description="the menu stream's version (for If-Match); on PUT only")


class NextServiceView(BaseModel):
    menu_id: str
    name_zh: str
    name_en: str
    due_km: int
    due_date: date


# --- quotes ------------------------------------------------------------------------------------


class QuotePartBody(_Body):
    part_number: str = Field(min_length=1, max_length=40)
    quantity: int = Field(gt=0, le=10_000)
    labour_operation: str | None = Field(None, description="the operation whose line the part goes on")

    @field_validator("part_number")
    @classmethod
    def part_number_is_upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("labour_operation")
    @classmethod
    def code_is_one(cls, value: str | None) -> str | None:
        return None if value is None else labour_code(value)


class QuoteBody(_Body):
    model_family: str = Field(min_length=1, max_length=64)
    pay_type: str
    at: date | None = Field(None, description="the date whose prices to use (today at the site if omitted)")
    menu_id: str | None = None
    labour_operations: list[str] = Field(default_factory=list, max_length=200)
    parts: list[QuotePartBody] = Field(default_factory=list, max_length=500)
    lang: str = Field("zh", description="the language of the lines' descriptions: zh or en")

    @field_validator("pay_type")
    @classmethod
    def pay_type_is_known(cls, value: str) -> str:
        return check_code(value, PAY_TYPES, "pay type")

    @field_validator("labour_operations")
    @classmethod
    def codes_are_codes(cls, value: list[str]) -> list[str]:
        return [labour_code(code) for code in value]

    @field_validator("lang")
    @classmethod
    def lang_is_known(cls, value: str) -> str:
        return check_code(value, ("zh", "en"), "lang")

    def request(self) -> QuoteRequest:
        parts = tuple(PartRequest(p.part_number, p.quantity, p.labour_operation) for p in self.parts)
        return QuoteRequest(self.model_family, self.pay_type, tuple(self.labour_operations), parts, self.lang)


class QuotedPartView(BaseModel):
    part_number: str
    description: str
    quantity: int
    unit_price: int
    non_oem: bool


class QuotedLineView(BaseModel):
    line_id: UUID
    labour_operation: str
    description: str
    labour_minutes: int
    labour_price: int
    pay_type: str
    parts: list[QuotedPartView]


class QuoteView(BaseModel):
    lines: list[QuotedLineView]
    total: int
    labour_minutes: int
    price_lists: dict[str, Any] = Field(
        description="the versions used: `labour_rates` (its effective date), `parts` (the price-list version), "
        "`labour_operations` (each code's effective date)"
    )
    at: date
    currency: str = "CNY"


def quote_view(quote: Quote, at: date) -> QuoteView:
    lines = [
        QuotedLineView(
            line_id=line.line_id,
            labour_operation=line.labour_operation,
            description=line.description,
            labour_minutes=line.labour_minutes,
            labour_price=line.labour_price,
            pay_type=line.pay_type,
            parts=[QuotedPartView(**vars(part)) for part in line.parts],
        )
        for line in quote.lines
    ]
    parts = quote.parts_price_lists
    return QuoteView(
        lines=lines,
        total=sum(line.price for line in quote.lines),
        labour_minutes=sum(line.labour_minutes for line in quote.lines),
        price_lists={
            "labour_rates": quote.labour_rates,
            "parts": parts[0] if len(parts) == 1 else (parts or None),
            "labour_operations": quote.labour_operations,
        },
        at=at,
    )
