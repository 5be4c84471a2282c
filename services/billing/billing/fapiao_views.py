"""The fapiao of each invoice as people see it (on the invoice view, `fapiao`): one row per
invoice, written in the transaction of its events from the fapiao's state."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from billing.fapiao import Fapiao
from events.connection import Connection
from events.envelope import Tenant
from events.privacy import PersonalColumn

PERSONAL_COLUMNS = (PersonalColumn("billing_fapiaos", "buyer_name"),)


async def save(conn: Connection, tenant: Tenant, state: Fapiao, at: datetime) -> None:
    request = state.request
    assert request is not None
    await conn.execute(
        """INSERT INTO billing_fapiaos (invoice_id, group_id, site_id, request_id, invoice_number, kind, buyer_name,
               buyer_tax_id, total_gross, status, attempts, last_error, retry_at, einvoice_number, check_code,
               reason, requested_at, issued_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
           ON CONFLICT (invoice_id) DO UPDATE SET request_id = EXCLUDED.request_id, kind = EXCLUDED.kind,
               buyer_name = EXCLUDED.buyer_name, buyer_tax_id = EXCLUDED.buyer_tax_id,
               total_gross = EXCLUDED.total_gross, status = EXCLUDED.status, attempts = EXCLUDED.attempts,
               last_error = EXCLUDED.last_error, retry_at = EXCLUDED.retry_at,
               einvoice_number = EXCLUDED.einvoice_number, check_code = EXCLUDED.check_code,
               reason = EXCLUDED.reason, requested_at = EXCLUDED.requested_at, issued_at = EXCLUDED.issued_at,
               updated_at = EXCLUDED.updated_at""",
        request.invoice_id,
        tenant.group_id,
        tenant.site_id,
        request.request_id,
        request.invoice_number,
        request.kind,
        request.buyer.name,
        request.buyer.tax_id,
        request.total_gross,
        state.status,
        state.attempts,
        state.last_error,
        state.retry_at,
        state.einvoice_number,
        state.check_code,
        state.reason,
        request.requested_at,
        state.issued_at,
        at,
    )


def view(row: asyncpg.Record) -> dict[str, Any]:
    """What the invoice view shows as its `fapiao`."""
    return {
        "kind": row["kind"],
        "status": row["status"],
        "buyer_name": row["buyer_name"],
        "buyer_tax_id": row["buyer_tax_id"],
        "total_gross": row["total_gross"],
        "einvoice_number": row["einvoice_number"],
        "check_code": row["check_code"],
        "reason": row["reason"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "retry_at": row["retry_at"].isoformat() if row["retry_at"] else None,
        "requested_at": row["requested_at"].isoformat(),
        "issued_at": row["issued_at"].isoformat() if row["issued_at"] else None,
    }


async def fapiao_of(pool: asyncpg.Pool | Connection, tenant: Tenant, invoice_id: UUID) -> dict[str, Any] | None:
    """The invoice's fapiao for its view, or None when none was asked for."""
    row = await pool.fetchrow(
        "SELECT * FROM billing_fapiaos WHERE invoice_id = $1 AND group_id = $2 AND site_id = $3",
        invoice_id,
        tenant.group_id,
        tenant.site_id,
    )
    return view(row) if row is not None else None
