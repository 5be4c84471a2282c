-- The customer's signature on the RO, drawn on the desk's screen: a PNG kept with the visit.
-- `signature_ref` (its SHA-256) is what the RO's `signature_ref` names; `subject_id` is the
-- customer's data subject, so an erasure of the customer clears the image (the row and its
-- ref stay: the RO was signed).
CREATE TABLE signatures (
    repair_order_id uuid PRIMARY KEY,
    group_id text NOT NULL,
    site_id text NOT NULL,
    subject_id uuid NOT NULL,
    signature_ref text NOT NULL,
    image bytea,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL,
    erased_at timestamptz
);
CREATE INDEX signatures_subject ON signatures (subject_id);
