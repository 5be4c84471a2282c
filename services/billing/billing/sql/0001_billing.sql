-- Billing's own tables. The first two are the service's authority (written in the transaction
-- that records the invoice, never rebuilt): the invoice counters and the invoice in force per
-- repair order. The others are read models written in the same transaction as their events, so
-- a cashier's close counts exactly what was committed before it.

-- One row per site and series: the last number issued. Locked FOR UPDATE by the issue that
-- takes the next number, and only moved in that issue's transaction: a refused or rolled-back
-- issue never consumes a number.
CREATE TABLE billing_counters (
    group_id     text NOT NULL,
    site_id      text NOT NULL,
    series       text NOT NULL,
    last_number  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, site_id, series)
);

-- The invoice in force for a repair order: one at most (its primary key); a void removes it.
CREATE TABLE billing_open_invoices (
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    repair_order_id  uuid NOT NULL,
    invoice_id       uuid NOT NULL,
    PRIMARY KEY (group_id, site_id, repair_order_id)
);

-- Deposits per repair order, and the invoice that applied each (NULL: not applied yet).
CREATE TABLE billing_deposits (
    deposit_id       uuid PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    repair_order_id  uuid NOT NULL,
    method           text NOT NULL,
    amount           bigint NOT NULL,
    taken_at         timestamptz NOT NULL,
    taken_order      bigserial,          -- the order they were taken in, within one clock tick too
    applied_to       uuid
);
CREATE INDEX billing_deposits_ro ON billing_deposits (group_id, site_id, repair_order_id);

-- The till: every movement of money with the site-local day it counts in.
CREATE TABLE billing_cash_movements (
    movement_id  uuid PRIMARY KEY,
    group_id     text NOT NULL,
    site_id      text NOT NULL,
    day          date NOT NULL,
    kind         text NOT NULL,      -- payment, deposit, refund
    method       text NOT NULL,
    amount       bigint NOT NULL,
    invoice_id   uuid,
    repair_order_id uuid,
    at           timestamptz NOT NULL
);
CREATE INDEX billing_cash_movements_day ON billing_cash_movements (group_id, site_id, day);

-- The days closed at each site (the events are the record; this is for the till's next day).
CREATE TABLE billing_closed_days (
    group_id  text NOT NULL,
    site_id   text NOT NULL,
    day       date NOT NULL,
    PRIMARY KEY (group_id, site_id, day)
);

-- Receivables: what someone other than the customer owes, per invoice, payer and pay type.
CREATE TABLE billing_receivables (
    receivable_key   text PRIMARY KEY,   -- invoice/payer/pay_type: the list's unique sort key
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    invoice_id       uuid NOT NULL,
    invoice_number   text NOT NULL,
    repair_order_id  uuid NOT NULL,
    payer            text NOT NULL,
    pay_type         text NOT NULL,
    gross            bigint NOT NULL,
    net              bigint NOT NULL,
    tax              bigint NOT NULL,
    issued_at        timestamptz NOT NULL,
    voided           boolean NOT NULL DEFAULT false
);
CREATE INDEX billing_receivables_site ON billing_receivables (group_id, site_id, issued_at, receivable_key);
