"""Settlements and the stand-ins for the fapiao and e-record tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

import standins
from events.catalog.reception import InvoiceSettled
from events.catalog.reception_values import HealthRecordItem, HealthRecordPart, MaintenanceRecord, PayTypeTotal
from events.local.ports import free_port

ENTERPRISE = {
    "enterprise_name": "上海丰田汽车销售服务有限公司",
    "enterprise_licence_number": "沪交运管许可字310000123456号",
}
SETTLED_AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
VIN = "LFV2A21K8G3000001"


def settled(
    number: str = "SVC-2026-000001",
    *,
    settlement_date: date = date(2026, 3, 2),
    repair_order_id: UUID | None = None,
    vin: str = VIN,
    mileage_km: int = 10_012,
) -> InvoiceSettled:
    """Reception's settlement of a 10,000 km service: two repair items, two parts."""
    return InvoiceSettled(
        repair_order_id=repair_order_id or uuid.uuid4(),
        invoice_number=number,
        payment_method="cash",
        currency="CNY",
        totals=(PayTypeTotal(pay_type="CUSTOMER_PAY", labour=57_000, parts=27_550, total=84_550),),
        labour_total=57_000,
        parts_total=27_550,
        total=84_550,
        customer_pay_total=84_550,
        health_record=MaintenanceRecord(
            plate="沪A12345",
            vin=vin,
            repair_date=settlement_date - timedelta(days=1),
            mileage_km=mileage_km,
            fault_description="仪表保养提示 (service reminder on the dashboard)",
            settlement_date=settlement_date,
            settlement_number=number,
            items=(
                HealthRecordItem(labour_operation="OIL-10K", description="更换机油机滤", labour_minutes=60),
                HealthRecordItem(labour_operation="BRK-INS", description="制动系统检查", labour_minutes=30),
            ),
            parts=(
                HealthRecordPart(part_number="90915-YZZD2", name="机油滤清器", quantity=1),
                HealthRecordPart(part_number="08880-83720", name="机油 0W-20", quantity=4),
            ),
        ),
        settled_at=SETTLED_AT,
    )


def settings_body(**enterprise: Any) -> dict[str, Any]:
    """A site's billing settings with the given enterprise identity."""
    return {
        "vat_bp": {"labour": 1300, "parts": 1300, "other": 600},
        "rounding": "per_line",
        "series": ["service"],
        "enterprise_tax_id": "91310000MA1FL0000N",
        **enterprise,
    }


# --- the stand-ins and billing pointed at them ---------------------------------------------


@dataclass
class Outside:
    """The local stand-ins of the e-invoice provider and the e-record platform (a real process)."""

    url: str

    async def fail_next(self, party: str, count: int, mode: str = "unavailable", **extra: Any) -> None:
        async with httpx.AsyncClient(base_url=self.url) as http:
            response = await http.post(f"/{party}/admin/failures", json={"count": count, "mode": mode, **extra})
            assert response.status_code == 200, response.text

    async def received(self, party: str) -> list[dict[str, Any]]:
        path = "/einvoice/admin/invoices" if party == "einvoice" else "/erecord/admin/records"
        async with httpx.AsyncClient(base_url=self.url) as http:
            rows: list[dict[str, Any]] = (await http.get(path)).json()
        return rows


@contextmanager
def outside_parties() -> Iterator[Outside]:
    with standins.running(free_port()) as url:
        yield Outside(url)


def point_billing_at(outside: Outside, monkeypatch: pytest.MonkeyPatch) -> None:
    """Billing's adapter settings (read when its app is created) → the stand-ins."""
    for name, value in standins.billing_env(outside.url).items():
        monkeypatch.setenv(name, value)
