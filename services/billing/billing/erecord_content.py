"""What a settlement's repair e-record says (JT/T 1132), built from reception's settlement and the
site's enterprise identity — pure, so every field is checked without a database."""

from __future__ import annotations

from datetime import datetime

from billing.erecord import record_id_of
from events.catalog.billing_outbound import ERecordContent, ERecordItem, ERecordPart, ERecordPrepared
from events.catalog.reception import InvoiceSettled


def content(settled: InvoiceSettled, enterprise_name: str, enterprise_licence_number: str) -> ERecordContent:
    """The record's fields: the vehicle, the visit and the settlement from reception's health record;
    the repair enterprise from the site's settings (as they are when the record is built)."""
    health = settled.health_record
    return ERecordContent(
        enterprise_name=enterprise_name,
        enterprise_licence_number=enterprise_licence_number,
        plate=health.plate,
        vin=health.vin,
        repair_date=health.repair_date,
        mileage_km=health.mileage_km,
        fault_description=health.fault_description,
        settlement_date=health.settlement_date,
        settlement_number=health.settlement_number,
        items=tuple(
            ERecordItem(labour_operation=i.labour_operation, description=i.description, labour_minutes=i.labour_minutes)
            for i in health.items
        ),
        parts=tuple(ERecordPart(part_number=p.part_number, name=p.name, quantity=p.quantity) for p in health.parts),
    )


def prepared(
    settled: InvoiceSettled, enterprise_name: str, enterprise_licence_number: str, at: datetime
) -> ERecordPrepared:
    """The record of `settled`, ready to upload: one per settlement (its id follows from it)."""
    return ERecordPrepared(
        record_id=record_id_of(settled.repair_order_id, settled.invoice_number),
        repair_order_id=settled.repair_order_id,
        invoice_number=settled.invoice_number,
        record=content(settled, enterprise_name, enterprise_licence_number),
        settled_at=settled.settled_at,
        prepared_at=at,
    )
