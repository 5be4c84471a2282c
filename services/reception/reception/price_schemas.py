"""What the API accepts for the money side of the desk: an estimate's work by catalogue
references and typed lines, a line added after signing, the service manager's discount
approval, and the site's reception settings (validated: 422 with field errors)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator, model_validator

from events.catalog.reception_values import PAY_TYPES, RepairLine, RepairPart, ServiceInterval, check_code
from reception.domain.pricing import PricedLine
from reception.domain.reception_settings import DEFAULT_SERVICE_INTERVAL, ReceptionSettings, SetReceptionSettings
from reception.domain.repair_order_commands import AddRepairLine, ApproveDiscount, PrepareEstimate
from reception.schemas import Body, Code, DeskConsent
from reception.views import View


class ItemPart(Body):
    """A part of a catalogue item: priced by the catalogue, unless `unit_price` names another
    price (with the item's reason), or the customer brought it (never charged)."""

    part_number: str = Code
    quantity: int = Field(gt=0, le=10_000)
    unit_price: int | None = Field(default=None, ge=0, le=100_000_000, description="fen; instead of the catalogue's")
    customer_supplied: bool = False
    description: str | None = Field(default=None, min_length=1, max_length=200)


class CatalogueItem(Body):
    """Work named by its catalogue references and priced by the catalogue. `labour_price`,
    `labour_minutes` or a part's `unit_price` replace the catalogue's (a discount when lower),
    and need a `reason`."""

    labour_operation: str = Code
    pay_type: str = "CUSTOMER_PAY"
    pay_type_reason: str | None = Field(default=None, max_length=500)
    parts: tuple[ItemPart, ...] = Field(default=(), max_length=50)
    line_id: UUID | None = Field(default=None, description="the line's id; by default the catalogue's")
    labour_price: int | None = Field(default=None, ge=0, le=100_000_000, description="fen; instead of the catalogue's")
    labour_minutes: int | None = Field(default=None, ge=0, le=100_000)
    safety_critical: bool = False
    reason: str | None = Field(default=None, max_length=500)

    @field_validator("pay_type")
    @classmethod
    def pay_type_is_known(cls, value: str) -> str:
        return check_code(value, PAY_TYPES, "pay type")

    @property
    def quoted_parts(self) -> tuple[ItemPart, ...]:
        return tuple(part for part in self.parts if not part.customer_supplied)

    def supplied_parts(self) -> tuple[RepairPart, ...]:
        return tuple(
            RepairPart(
                part_number=part.part_number,
                description=part.description or part.part_number,
                quantity=part.quantity,
                unit_price=0,
                customer_supplied=True,
            )
            for part in self.parts
            if part.customer_supplied
        )

    def priced(self, catalogue: RepairLine) -> PricedLine:
        """This item on the catalogue's line: the catalogue's prices, or the ones given instead."""
        asked = {part.part_number: part.unit_price for part in self.quoted_parts if part.unit_price is not None}
        on_catalogue = catalogue.model_copy(
            update={
                "line_id": self.line_id or catalogue.line_id,
                "pay_type_reason": self.pay_type_reason,
                "safety_critical": self.safety_critical,
                "parts": (*catalogue.parts, *self.supplied_parts()),
            }
        )
        line = on_catalogue.model_copy(
            update={
                "labour_price": on_catalogue.labour_price if self.labour_price is None else self.labour_price,
                "labour_minutes": on_catalogue.labour_minutes if self.labour_minutes is None else self.labour_minutes,
                "parts": tuple(
                    part.model_copy(update={"unit_price": asked.get(part.part_number, part.unit_price)})
                    for part in on_catalogue.parts
                ),
            }
        )
        return PricedLine(line, on_catalogue, self.reason)


class TypedLine(RepairLine):
    """A line typed by hand, with the reason: work the catalogue does not know (e.g. sublet).
    A labour code the catalogue knows is compared with its price like any other line."""

    reason: str | None = Field(default=None, max_length=500)

    def repair_line(self) -> RepairLine:
        return RepairLine.model_validate(self.model_dump(exclude={"reason"}))


class MenuLinePrice(Body):
    """A price for one of the service menu's lines instead of the catalogue's (a discount when
    lower), with its reason: measured against the catalogue's price of that line like any other
    (the discount authority decides whether the manager approves it first)."""

    labour_operation: str = Code
    labour_price: int = Field(ge=0, le=100_000_000, description="fen; instead of the catalogue's")
    reason: str | None = Field(default=None, max_length=500)


class EstimateBody(Body):
    """The estimate's work by catalogue references — a service menu (`menu_id`, at
    `menu_pay_type`) and/or `items` — and lines typed by hand (`lines`, each with its reason).
    Reception prices the references with the catalogue for the car's model family (its
    `vehicle.model`, or `model_family`)."""

    model_family: str | None = Field(default=None, min_length=1, max_length=80)
    menu_id: str | None = Field(default=None, min_length=1, max_length=80)
    menu_pay_type: str = "CUSTOMER_PAY"
    menu_prices: tuple[MenuLinePrice, ...] = Field(
        default=(), max_length=50, description="the menu's lines priced otherwise"
    )
    items: tuple[CatalogueItem, ...] = Field(default=(), max_length=50)
    lines: tuple[TypedLine, ...] = Field(default=(), max_length=50)
    promised_at: AwareDatetime
    payment_method: str = Code
    old_parts: str = Code
    wash: bool
    estimate_method: str = Field(default="item", min_length=1, max_length=40)

    @field_validator("menu_pay_type")
    @classmethod
    def pay_type_is_known(cls, value: str) -> str:
        return check_code(value, PAY_TYPES, "pay type")

    @model_validator(mode="after")
    def names_some_work(self) -> EstimateBody:
        if self.menu_id is None and not self.items and not self.lines:
            raise ValueError("name the work: a service menu (menu_id), catalogue items or typed lines")
        if self.menu_prices and self.menu_id is None:
            raise ValueError("menu_prices price a service menu's lines: name the menu (menu_id)")
        return self

    def command(
        self,
        lines: tuple[PricedLine, ...],
        price_lists: tuple[tuple[str, str], ...],
        model_family: str,
        authority_bp: int,
        now: datetime,
    ) -> PrepareEstimate:
        return PrepareEstimate(
            lines,
            self.promised_at,
            self.payment_method,
            self.old_parts,
            self.wash,
            now,
            self.estimate_method,
            authority_bp,
            price_lists,
            model_family,
            self.menu_id,
        )


class DiscountApprovalBody(Body):
    """The service manager approves the current estimate's discount (who and when are recorded)."""

    def command(self, approved_by: str, now: datetime) -> ApproveDiscount:
        return ApproveDiscount(approved_by, now)


class AddLineBody(Body):
    """A line added after signing: a catalogue `item` or a typed `line`, priced like the estimate's."""

    item: CatalogueItem | None = None
    line: TypedLine | None = None
    model_family: str | None = Field(default=None, min_length=1, max_length=80)
    consent: DeskConsent | None = None

    @model_validator(mode="after")
    def names_one_line(self) -> AddLineBody:
        if (self.item is None) == (self.line is None):
            raise ValueError("give the line as a catalogue item or as a typed line (one of them)")
        return self

    def command(
        self, line: PricedLine, price_lists: tuple[tuple[str, str], ...], authority_bp: int, now: datetime
    ) -> AddRepairLine:
        return AddRepairLine(line, self.consent, now, authority_bp, price_lists)


class ReceptionSettingsBody(Body):
    """`discount_authority_bp`: per role, the discount on a line's catalogue price it may give
    without a service manager's approval, in basis points (500 = 5 %); a role not named gives
    none. `default_service_interval`: the next service at delivery when the catalogue has no
    menu for the car's model family."""

    discount_authority_bp: dict[str, int] = Field(max_length=20)
    default_service_interval: ServiceInterval = DEFAULT_SERVICE_INTERVAL

    def command(self, set_by: str, now: datetime) -> SetReceptionSettings:
        return SetReceptionSettings(self.discount_authority_bp, self.default_service_interval, set_by, now)


# --- views ---------------------------------------------------------------------------------


class ReceptionSettingsView(View):
    site_id: str
    discount_authority_bp: dict[str, int]
    default_service_interval: ServiceInterval
    set_at: datetime | None = Field(description="null: the site never set them (the defaults)")
    version: int


def reception_settings_view(site_id: str, state: ReceptionSettings, version: int) -> ReceptionSettingsView:
    return ReceptionSettingsView(
        site_id=site_id,
        discount_authority_bp=state.discount_authority_bp,
        default_service_interval=state.default_service_interval,
        set_at=state.set_at,
        version=version,
    )
