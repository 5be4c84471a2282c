-- The customer's decisions through approval links (docs/approval-links.md): one row per link
-- used, written in the decision's transaction, so a link decides once (its digest is the key;
-- the token itself is never stored). The RO's consent names the digest; the device's details
-- are the consent's evidence, personal data cleared when the customer is erased (`subject_id`).
CREATE TABLE approval_decisions (
    digest          text PRIMARY KEY,
    repair_order_id uuid NOT NULL,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    scope           text NOT NULL,
    subject_id      uuid NOT NULL,
    user_agent      text,
    client_address  text,
    decided_at      timestamptz NOT NULL
);
CREATE INDEX approval_decisions_visit ON approval_decisions (repair_order_id);
CREATE INDEX approval_decisions_subject ON approval_decisions (subject_id);
