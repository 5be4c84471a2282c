"""A site's billing settings, stream `billing_settings-<site_id>`: VAT per line kind, the rounding
rule, the invoice series with their number formats, the enterprise identity (H4's fapiao and
repair e-record read `enterprise_*`) and the time zone of the cashier's day. A site that never set
them bills at China's rates: 13 % on repair labour and parts, 6 % on other services, per line,
in one series `service` (SVC-2026-000001), in Shanghai time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from billing.domain.numbers import DEFAULT_SERIES, default_format
from billing.domain.tax import PER_LINE
from events.catalog.billing import BillingSettingsSet, VatRates
from events.contract import Event
from events.decider import Decider

DEFAULT_VAT = VatRates(labour=1300, parts=1300, other=600)
DEFAULT_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class BillingSettings:
    vat_bp: VatRates = DEFAULT_VAT
    rounding: str = PER_LINE
    series: tuple[str, ...] = DEFAULT_SERIES
    number_formats: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    enterprise_name: str = ""
    enterprise_licence_number: str = ""
    enterprise_tax_id: str = ""
    time_zone: str = DEFAULT_TIME_ZONE
    set_by: str | None = None
    set_at: datetime | None = None

    def number_format(self, series: str) -> str:
        return self.number_formats.get(series) or default_format(series)


DEFAULTS = BillingSettings()


@dataclass(frozen=True)
class SetBillingSettings:
    """Already checked field by field (the API's body); the decider records it as given."""

    site_id: str
    vat_bp: VatRates
    rounding: str
    series: Sequence[str]
    number_formats: Mapping[str, str]
    enterprise_name: str
    enterprise_licence_number: str
    enterprise_tax_id: str
    time_zone: str
    set_by: str
    set_at: datetime


def stream_id(site_id: str) -> str:
    return f"billing_settings-{site_id}"


def decide(state: BillingSettings, command: SetBillingSettings) -> Sequence[Event]:
    return [
        BillingSettingsSet(
            site_id=command.site_id,
            vat_bp=command.vat_bp,
            rounding=command.rounding,
            series=tuple(command.series),
            number_formats=dict(command.number_formats),
            enterprise_name=command.enterprise_name,
            enterprise_licence_number=command.enterprise_licence_number,
            enterprise_tax_id=command.enterprise_tax_id,
            time_zone=command.time_zone,
            set_by=command.set_by,
            set_at=command.set_at,
        )
    ]


def evolve(state: BillingSettings, event: Event) -> BillingSettings:
    if not isinstance(event, BillingSettingsSet):
        return state
    return BillingSettings(
        vat_bp=event.vat_bp,
        rounding=event.rounding,
        series=event.series,
        number_formats=MappingProxyType(dict(event.number_formats)),
        enterprise_name=event.enterprise_name,
        enterprise_licence_number=event.enterprise_licence_number,
        enterprise_tax_id=event.enterprise_tax_id,
        time_zone=event.time_zone,
        set_by=event.set_by,
        set_at=event.set_at,
    )


billing_settings: Decider[SetBillingSettings, BillingSettings] = Decider(DEFAULTS, decide, evolve)
