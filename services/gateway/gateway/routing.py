"""Which service owns which resource, and where each service is.

The public path is `/api/v1/sites/{site_id}/{resource}/...`; the owning service serves the
same path without the `/api/v1` prefix. Services are found at `<NAME>_URL` (for example
`BOOKING_URL`), by default on the local ports `make run` uses.
"""

from __future__ import annotations

from events.services import service_url as service_url

API_PREFIX = "/api/v1"

OWNERS: dict[str, str] = {
    # booking: appointments and the site's capacity; customers and vehicles known to a site
    "appointments": "booking",
    "appointment-lists": "booking",
    "capacity": "booking",
    "free-slots": "booking",
    "customers": "booking",
    "vehicles": "booking",
    "site-profile": "booking",  # the site's names in the group's directory (GET /api/v1/sites lists them)
    # reception: check-in, the repair order, approvals, delivery and settlement
    "repair-orders": "reception",
    "advisor-board": "reception",
    "reception-settings": "reception",
    # workshop: jobs, dispatch, findings, progress, QC
    "work-orders": "workshop",
    "technicians": "workshop",
    "inspection-templates": "workshop",
    "media": "workshop",
    # parts: stock, reservations, orders and transfers, old parts
    "stock": "parts",
    "parts-orders": "parts",
    "old-parts": "parts",
    # followup: customer file, callbacks, campaigns, CSI/VOC
    "customer-files": "followup",
    "callbacks": "followup",
    "campaigns": "followup",
    "reports": "followup",
    "contact-queue": "followup",
    "failed-messages": "followup",
    # complaints: the 7-step process
    "complaints": "complaints",
    # catalogue: labour operations and rates, the parts price list, service menus, quotes
    "labour-operations": "catalogue",
    "labour-rates": "catalogue",
    "price-lists": "catalogue",
    "parts-prices": "catalogue",
    "service-menus": "catalogue",
    "quotes": "catalogue",
    # billing: invoices and their numbers, payments, deposits, the cashier's day, receivables,
    # fapiao and the repair e-record
    "invoices": "billing",
    "deposits": "billing",
    "cash-days": "billing",
    "receivables": "billing",
    "e-records": "billing",
    "billing-settings": "billing",
    # notifications: messages to customers, their contact preferences, quiet hours, templates
    "messages": "notifications",
    "contact-preferences": "notifications",
    "quiet-hours": "notifications",
    "message-templates": "notifications",
}

# Served without a bearer token at `/api/v1/public/{resource}/...` (a customer's link), forwarded to
# the owner's `/public/{resource}/...` with no identity: the token in the path is the only
# credential, and the owner verifies it (events.links). One line per resource.
PUBLIC_OWNERS: dict[str, str] = {
    "approvals": "reception",
    "appointment-links": "booking",
    "self-booking": "booking",
    "media": "workshop",
    "proposal-links": "followup",
}


def services() -> list[str]:
    return sorted(set(OWNERS.values()))
