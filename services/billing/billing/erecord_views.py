"""The e-records as people look them up: one row per settlement's record, written in the
transaction of its events (`save`, from the record's state), so a list read after a command sees
it; the period's list (paged) and its export file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from billing.erecord import ERecord
from events.connection import Connection
from events.envelope import Tenant
from events.paging import Key, Listing, Window

PERIOD = Listing(
    "erecords",
    (Key("settlement_date", date, nullable=False), Key("record_id", UUID, nullable=False)),
)


async def save(conn: Connection, tenant: Tenant, state: ERecord, at: datetime) -> None:
    prepared, record = state.prepared, state.record
    assert prepared is not None
    assert record is not None
    await conn.execute(
        """INSERT INTO billing_erecords (record_id, group_id, site_id, repair_order_id, invoice_number,
               settlement_number, settlement_date, plate, vin, record, status, submission, attempts, last_error,
               retry_at, reason, platform_record_id, settled_at, prepared_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
           ON CONFLICT (record_id) DO UPDATE SET settlement_number = EXCLUDED.settlement_number,
               settlement_date = EXCLUDED.settlement_date, plate = EXCLUDED.plate, vin = EXCLUDED.vin,
               record = EXCLUDED.record, status = EXCLUDED.status, submission = EXCLUDED.submission,
               attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error, retry_at = EXCLUDED.retry_at,
               reason = EXCLUDED.reason, platform_record_id = EXCLUDED.platform_record_id,
               updated_at = EXCLUDED.updated_at""",
        prepared.record_id,
        tenant.group_id,
        tenant.site_id,
        prepared.repair_order_id,
        prepared.invoice_number,
        record.settlement_number,
        record.settlement_date,
        record.plate,
        record.vin,
        record.model_dump_json(),
        state.status,
        state.submission,
        state.attempts,
        state.last_error,
        state.retry_at,
        state.reason,
        state.platform_record_id,
        prepared.settled_at,
        prepared.prepared_at,
        at,
    )


def view(row: asyncpg.Record) -> dict[str, Any]:
    """A row as the API shows it."""
    return {
        "record_id": row["record_id"],
        "repair_order_id": row["repair_order_id"],
        "invoice_number": row["invoice_number"],
        "status": row["status"],
        "attempts": row["attempts"],
        "submission": row["submission"],
        "last_error": row["last_error"],
        "retry_at": row["retry_at"],
        "reason": row["reason"],
        "platform_record_id": row["platform_record_id"],
        "record": json.loads(row["record"]),
        "settled_at": row["settled_at"],
        "prepared_at": row["prepared_at"],
        "updated_at": row["updated_at"],
    }


async def one(pool: asyncpg.Pool, tenant: Tenant, record_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(
        "SELECT * FROM billing_erecords WHERE record_id = $1 AND group_id = $2 AND site_id = $3",
        record_id,
        tenant.group_id,
        tenant.site_id,
    )
    return row


async def period(
    pool: asyncpg.Pool,
    tenant: Tenant,
    *,
    start: date | None,
    end: date | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[Window, Sequence[asyncpg.Record]]:
    """A page of the site's records settled from `start` to `end` (both included), oldest first."""
    window = PERIOD.window(cursor, limit, first=6)
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""SELECT * FROM billing_erecords
            WHERE group_id = $1 AND site_id = $2 AND ($3::date IS NULL OR settlement_date >= $3)
              AND ($4::date IS NULL OR settlement_date <= $4) AND ($5::text IS NULL OR status = $5)
              AND {window.after}
            {window.order}""",
        tenant.group_id,
        tenant.site_id,
        start,
        end,
        status,
        *window.params,
    )
    return window, rows


async def whole_period(pool: asyncpg.Pool, tenant: Tenant, start: date, end: date) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        """SELECT * FROM billing_erecords
           WHERE group_id = $1 AND site_id = $2 AND settlement_date BETWEEN $3 AND $4
           ORDER BY settlement_date, settlement_number, record_id""",
        tenant.group_id,
        tenant.site_id,
        start,
        end,
    )
    return rows


# The export's columns: the record's fields in JT/T 1132's order, then our status. Items and parts
# are one cell each ("code name hours; ..."): one row per settlement is what the platform's own
# bulk template and an auditor's spreadsheet expect.
EXPORT_COLUMNS = (
    ("维修企业名称 enterprise_name", lambda r: r["enterprise_name"]),
    ("许可证号 enterprise_licence_number", lambda r: r["enterprise_licence_number"]),
    ("车牌号码 plate", lambda r: r["plate"]),
    ("车辆识别代号 vin", lambda r: r["vin"]),
    ("送修日期 repair_date", lambda r: r["repair_date"]),
    ("送修里程 mileage_km", lambda r: r["mileage_km"]),
    ("故障描述 fault_description", lambda r: r["fault_description"]),
    ("结算日期 settlement_date", lambda r: r["settlement_date"]),
    ("结算清单编号 settlement_number", lambda r: r["settlement_number"]),
    (
        "维修项目 items",
        lambda r: "; ".join(
            f"{i['labour_operation']} {i['description']} {i['labour_minutes'] / 60:.2f}h" for i in r["items"]
        ),
    ),
    (
        "配件 parts",
        lambda r: "; ".join(f"{p['part_number']} {p['name']} x{p['quantity']}" for p in r["parts"]),
    ),
)


def export_csv(rows: Sequence[asyncpg.Record]) -> bytes:
    """The period's records as CSV in UTF-8 with a byte-order mark (Excel opens Chinese text in it
    as UTF-8 only with the mark), one row per settlement."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [name for name, _ in EXPORT_COLUMNS] + ["状态 status", "平台记录号 platform_record_id", "原因 reason"]
    )
    for row in rows:
        record = json.loads(row["record"])
        writer.writerow(
            [str(cell(record)) for _, cell in EXPORT_COLUMNS]
            + [row["status"], row["platform_record_id"] or "", row["reason"] or ""]
        )
    return "\ufeff".encode() + out.getvalue().encode()
