-- Read models of the reception service (disposable: rebuilt from the event log).

-- One row per visit: the reception board ("today's open repair orders of a site").
CREATE TABLE repair_orders (
    repair_order_id   uuid PRIMARY KEY,
    group_id          text NOT NULL,
    site_id           text NOT NULL,
    status            text NOT NULL,
    advisor           text NOT NULL,
    plate             text NOT NULL,
    vin               text NOT NULL,
    customer_name     text NOT NULL,
    arrival_kind      text NOT NULL,
    priority          text NOT NULL,
    customer_waiting  boolean NOT NULL,
    promised_at       timestamptz,
    checked_in_at     timestamptz NOT NULL,
    signed            boolean NOT NULL DEFAULT false,
    ready             boolean NOT NULL DEFAULT false,
    settled           boolean NOT NULL DEFAULT false,
    delivered         boolean NOT NULL DEFAULT false,
    pending_findings  integer NOT NULL DEFAULT 0,
    invoice_total     bigint,
    currency          text NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX repair_orders_site ON repair_orders (group_id, site_id, checked_in_at);
