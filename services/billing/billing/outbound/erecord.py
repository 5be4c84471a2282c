"""The upload adapter of the provincial repair e-record platform (汽车维修电子健康档案, JT/T 1132).

The record goes as the national platform's upload interface names its fields (every value a
string, working hours in hours to two places), authenticated with the enterprise's platform
account and key (HTTP Basic). The platform answers 200 accepted with its record id, 4xx rejected
with its reason (a wrong account or key included: asking again would be refused again until
someone fixes the settings), or is down (5xx, unreachable, too slow): then we try again later.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from billing.outbound.answers import Answer, Done, Refused, Unavailable, post, reason_of
from billing.outbound.settings import OutboundSettings
from events.catalog.billing_outbound import ERecordContent


def working_hours(minutes: int) -> str:
    """Minutes → hours to two places, half up (the platform's unit for 工时)."""
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def wire(record: ERecordContent) -> dict[str, Any]:
    """The record in the platform's field names."""
    return {
        "companycode": record.enterprise_licence_number,
        "companyname": record.enterprise_name,
        "vehicleplatenumber": record.plate,
        "vin": record.vin,
        "repairdate": record.repair_date.isoformat(),
        "repairmileage": str(record.mileage_km),
        "faultdescription": record.fault_description,
        "settledate": record.settlement_date.isoformat(),
        "costlistcode": record.settlement_number,
        "repairprojectlist": [
            {
                "repairproject": item.description or item.labour_operation,
                "repairprojectcode": item.labour_operation,
                "workinghours": working_hours(item.labour_minutes),
            }
            for item in record.items
        ],
        "partslist": [
            {"partscode": p.part_number, "partsname": p.name, "partsquantity": str(p.quantity)} for p in record.parts
        ],
    }


class ERecordPlatform:
    def __init__(self, settings: OutboundSettings, client: httpx.AsyncClient | None = None) -> None:
        self.url = settings.erecord_url.rstrip("/")
        self.auth = httpx.BasicAuth(settings.erecord_account, settings.erecord_key)
        self.timeout = settings.outbound_timeout_seconds
        self.client = client  # None: a client per call (calls are rare; nothing to close at shutdown)

    async def upload(self, record: ERecordContent) -> Answer:
        try:
            response = await post(self.client, self.timeout, f"{self.url}/records", json=wire(record), auth=self.auth)
        except httpx.HTTPError as error:  # unreachable, reset, too slow
            return Unavailable(f"the platform did not answer: {error!r}")
        if response.status_code >= 500 or response.status_code == 429:
            return Unavailable(f"the platform answered {response.status_code}: {reason_of(response)}")
        if response.status_code >= 400:
            return Refused(reason_of(response))
        body = response.json()
        if body.get("status") != "accepted":
            return Refused(str(body.get("reason") or body))
        return Done({"platform_record_id": str(body.get("recordid", ""))})
