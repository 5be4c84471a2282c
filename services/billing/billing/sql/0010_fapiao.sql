-- The fapiao (e-invoice) of each invoice as it stands: a read model written in the transaction
-- of its events (billing.fapiao_views), rebuilt from the `fapiao-*` streams if dropped.
-- buyer_name is a person's data when the buyer is one (scrubbed on an erasure).
CREATE TABLE billing_fapiaos (
    invoice_id       uuid PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    request_id       uuid NOT NULL,
    invoice_number   text NOT NULL,
    kind             text NOT NULL,
    buyer_name       text NOT NULL,
    buyer_tax_id     text NOT NULL,
    total_gross      bigint NOT NULL,
    status           text NOT NULL,      -- pending, issued, failed
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    retry_at         timestamptz,
    einvoice_number  text,
    check_code       text,
    reason           text,
    requested_at     timestamptz NOT NULL,
    issued_at        timestamptz,
    updated_at       timestamptz NOT NULL
);
