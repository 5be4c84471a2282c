"""Billing's own tables (sql/0001_billing.sql), read and written inside the command's
transaction: the invoice counters, the invoice in force per repair order, deposits, the till's
movements, closed days and receivables. Every statement is scoped by the tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import asyncpg

from billing.domain.cash_day import Movement
from events.catalog.billing import AppliedDeposit, InvoiceIssued
from events.connection import Connection
from events.envelope import Tenant
from events.paging import Key, Listing, Window


async def lock(conn: Connection, *names: str) -> None:
    """A transaction-long lock on what `names` name (a repair order, a site's till): commands on
    the same thing wait for each other, others do not."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "/".join(names))


def repair_order_lock(tenant: Tenant, repair_order_id: UUID) -> tuple[str, ...]:
    return ("billing.ro", tenant.group_id, tenant.site_id, str(repair_order_id))


def till_lock(tenant: Tenant) -> tuple[str, ...]:
    return ("billing.till", tenant.group_id, tenant.site_id)


# --- numbers ------------------------------------------------------------------------------


async def next_number(conn: Connection, tenant: Tenant, series: str) -> int:
    """The next number of the series, its counter row locked FOR UPDATE until the transaction
    ends; `take_number` moves the counter in the same transaction."""
    await conn.execute(
        "INSERT INTO billing_counters (group_id, site_id, series) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        tenant.group_id,
        tenant.site_id,
        series,
    )
    last: int = await conn.fetchval(
        "SELECT last_number FROM billing_counters WHERE group_id = $1 AND site_id = $2 AND series = $3 FOR UPDATE",
        tenant.group_id,
        tenant.site_id,
        series,
    )
    return last + 1


async def take_number(conn: Connection, tenant: Tenant, series: str, sequence: int) -> None:
    await conn.execute(
        "UPDATE billing_counters SET last_number = $4 WHERE group_id = $1 AND site_id = $2 AND series = $3",
        tenant.group_id,
        tenant.site_id,
        series,
        sequence,
    )


# --- the invoice in force per repair order -------------------------------------------------


async def invoice_in_force(conn: Connection, tenant: Tenant, repair_order_id: UUID) -> UUID | None:
    found: UUID | None = await conn.fetchval(
        "SELECT invoice_id FROM billing_open_invoices WHERE group_id = $1 AND site_id = $2 AND repair_order_id = $3",
        tenant.group_id,
        tenant.site_id,
        repair_order_id,
    )
    return found


IN_FORCE = Listing("billing.invoices_in_force", (Key("invoice_id", UUID, nullable=False),))


async def invoices_in_force(
    pool: asyncpg.Pool, tenant: Tenant, repair_order_id: UUID, *, cursor: str | None, limit: int
) -> tuple[Window, Sequence[asyncpg.Record]]:
    """A page of the RO's invoices in force: one at most today, a list so that the answer keeps
    its shape the day an RO is split over several invoices."""
    window = IN_FORCE.window(cursor, limit, first=4)
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""SELECT invoice_id FROM billing_open_invoices
           WHERE group_id = $1 AND site_id = $2 AND repair_order_id = $3 AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        repair_order_id,
        *window.params,
    )
    return window, rows


async def record_issue(conn: Connection, tenant: Tenant, issued: InvoiceIssued) -> None:
    """The invoice is in force for its RO, its deposits are applied, its receivables listed."""
    await conn.execute(
        "INSERT INTO billing_open_invoices (group_id, site_id, repair_order_id, invoice_id) VALUES ($1, $2, $3, $4)",
        tenant.group_id,
        tenant.site_id,
        issued.repair_order_id,
        issued.invoice_id,
    )
    await conn.execute(
        "UPDATE billing_deposits SET applied_to = $2 WHERE deposit_id = ANY($1::uuid[])",
        [d.deposit_id for d in issued.deposits],
        issued.invoice_id,
    )
    await conn.executemany(
        """INSERT INTO billing_receivables (receivable_key, group_id, site_id, invoice_id, invoice_number,
               repair_order_id, payer, pay_type, gross, net, tax, issued_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
        [
            (
                f"{issued.invoice_id}/{r.payer}/{r.pay_type}",
                tenant.group_id,
                tenant.site_id,
                issued.invoice_id,
                issued.number,
                issued.repair_order_id,
                r.payer,
                r.pay_type,
                r.gross,
                r.net,
                r.tax,
                issued.issued_at,
            )
            for r in issued.receivables
        ],
    )


async def record_void(conn: Connection, tenant: Tenant, invoice_id: UUID) -> None:
    """The RO may be invoiced again; the voided invoice's receivables are no longer owed."""
    await conn.execute(
        "DELETE FROM billing_open_invoices WHERE group_id = $1 AND site_id = $2 AND invoice_id = $3",
        tenant.group_id,
        tenant.site_id,
        invoice_id,
    )
    await conn.execute("UPDATE billing_receivables SET voided = true WHERE invoice_id = $1", invoice_id)


# --- deposits -----------------------------------------------------------------------------


async def unapplied_deposits(conn: Connection, tenant: Tenant, repair_order_id: UUID) -> tuple[AppliedDeposit, ...]:
    rows = await conn.fetch(
        """SELECT deposit_id, method, amount FROM billing_deposits
           WHERE group_id = $1 AND site_id = $2 AND repair_order_id = $3 AND applied_to IS NULL
           ORDER BY taken_order""",
        tenant.group_id,
        tenant.site_id,
        repair_order_id,
    )
    return tuple(AppliedDeposit(deposit_id=r["deposit_id"], method=r["method"], amount=r["amount"]) for r in rows)


async def record_deposit(
    conn: Connection,
    tenant: Tenant,
    deposit_id: UUID,
    repair_order_id: UUID,
    movement: Movement,
    day: date,
    at: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO billing_deposits (deposit_id, group_id, site_id, repair_order_id, method, amount, taken_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        deposit_id,
        tenant.group_id,
        tenant.site_id,
        repair_order_id,
        movement.method,
        movement.amount,
        at,
    )
    await record_movement(conn, tenant, deposit_id, day, movement, None, repair_order_id, at)


# --- the till -----------------------------------------------------------------------------


async def closed_days(conn: Connection, tenant: Tenant, since: date) -> set[date]:
    rows = await conn.fetch(
        "SELECT day FROM billing_closed_days WHERE group_id = $1 AND site_id = $2 AND day >= $3",
        tenant.group_id,
        tenant.site_id,
        since,
    )
    return {r["day"] for r in rows}


async def record_close(conn: Connection, tenant: Tenant, day: date) -> None:
    await conn.execute(
        "INSERT INTO billing_closed_days (group_id, site_id, day) VALUES ($1, $2, $3)",
        tenant.group_id,
        tenant.site_id,
        day,
    )


async def record_movement(
    conn: Connection,
    tenant: Tenant,
    movement_id: UUID,
    day: date,
    movement: Movement,
    invoice_id: UUID | None,
    repair_order_id: UUID | None,
    at: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO billing_cash_movements
               (movement_id, group_id, site_id, day, kind, method, amount, invoice_id, repair_order_id, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        movement_id,
        tenant.group_id,
        tenant.site_id,
        day,
        movement.kind,
        movement.method,
        movement.amount,
        invoice_id,
        repair_order_id,
        at,
    )


async def movements(conn: Connection | asyncpg.Pool, tenant: Tenant, day: date) -> tuple[Movement, ...]:
    rows = await conn.fetch(
        "SELECT kind, method, amount FROM billing_cash_movements WHERE group_id = $1 AND site_id = $2 AND day = $3",
        tenant.group_id,
        tenant.site_id,
        day,
    )
    return tuple(Movement(kind=r["kind"], method=r["method"], amount=r["amount"]) for r in rows)


# --- receivables --------------------------------------------------------------------------

RECEIVABLES = Listing(
    "billing.receivables",
    (Key("issued_at", datetime, nullable=False), Key("receivable_key", str, nullable=False)),
)


async def receivables(
    pool: asyncpg.Pool, tenant: Tenant, *, payer: str | None, cursor: str | None, limit: int
) -> tuple[Window, Sequence[asyncpg.Record]]:
    """A page of what others owe the site (invoices in force only), oldest first."""
    window = RECEIVABLES.window(cursor, limit, first=4)
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""SELECT * FROM billing_receivables
           WHERE group_id = $1 AND site_id = $2 AND ($3::text IS NULL OR payer = $3) AND NOT voided
             AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        payer,
        *window.params,
    )
    return window, rows
