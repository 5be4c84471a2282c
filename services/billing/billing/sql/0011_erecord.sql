-- The repair e-record of each settlement as it stands: a read model written in the transaction
-- of its events (billing.erecord_views), rebuilt from the `erecord-*` streams if dropped. The
-- period's list and export go by settlement date.
CREATE TABLE billing_erecords (
    record_id           uuid PRIMARY KEY,
    group_id            text NOT NULL,
    site_id             text NOT NULL,
    repair_order_id     uuid NOT NULL,
    invoice_number      text NOT NULL,
    settlement_number   text NOT NULL,
    settlement_date     date NOT NULL,
    plate               text NOT NULL,
    vin                 text NOT NULL,
    record              jsonb NOT NULL,     -- every field of the record as last built
    status              text NOT NULL,      -- pending, sent, accepted, rejected
    submission          integer NOT NULL,
    attempts            integer NOT NULL DEFAULT 0,
    last_error          text,
    retry_at            timestamptz,
    reason              text,
    platform_record_id  text,
    settled_at          timestamptz NOT NULL,
    prepared_at         timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX billing_erecords_period ON billing_erecords (group_id, site_id, settlement_date, record_id);
