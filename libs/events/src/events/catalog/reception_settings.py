"""Published events of the reception service about a site's settings (stream
`reception_settings-<site_id>`): the discount authority of each role and the default service
interval. The repair order's events are `events.catalog.reception`."""

from __future__ import annotations

from pydantic import AwareDatetime

from events.catalog.reception_values import ServiceInterval
from events.contract import Event


class ReceptionSettingsSet(Event, type="reception.ReceptionSettingsSet", version=1):
    """The site's reception settings (stream `reception_settings-<site_id>`), set by the service
    manager: the discount each role may give on its own, in basis points of the catalogue's
    price of a line (a role not named gives none), and the service interval used at delivery
    when the catalogue has no service menu for the car's model family."""

    discount_authority_bp: dict[str, int]
    default_service_interval: ServiceInterval
    set_by: str
    set_at: AwareDatetime
