-- Read models of the complaints service (disposable: rebuilt from the event log).

-- The complaint desk: one row per complaint, open ones by step with their SLA clock and
-- escalations. No per-person counts are kept or served (seed 004: complaints are improvement
-- material, not an agent's KPI); `handled_by` only says who acted last.
CREATE TABLE complaint_desk (
    complaint_id          uuid PRIMARY KEY,
    group_id              text NOT NULL,
    site_id               text NOT NULL,
    customer_id           uuid NOT NULL,
    vin                   text,
    repair_order_id       uuid,
    callback_id           uuid,
    channel               text NOT NULL,
    kind                  text NOT NULL,
    category              text NOT NULL,
    serious_reasons       text[] NOT NULL,
    customer_words        text NOT NULL,
    step                  text NOT NULL,
    received_at           timestamptz NOT NULL,
    resolve_by            timestamptz NOT NULL,
    resolved_at           timestamptz,
    breached              boolean NOT NULL DEFAULT false,
    escalations           jsonb NOT NULL DEFAULT '[]'::jsonb,
    second_callback_due   timestamptz,
    follow_up_overdue     boolean NOT NULL DEFAULT false,
    handled_by            text NOT NULL,
    closed_at             timestamptz,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX complaint_desk_site ON complaint_desk (group_id, site_id, step, resolve_by);

-- The complaint reports in each customer's record (docs/domain.md §7 step 7), one per closed complaint.
CREATE TABLE complaint_reports (
    complaint_id  uuid PRIMARY KEY,
    group_id      text NOT NULL,
    site_id       text NOT NULL,
    customer_id   uuid NOT NULL,
    closed_at     timestamptz NOT NULL,
    report        jsonb NOT NULL
);
CREATE INDEX complaint_reports_customer ON complaint_reports (group_id, customer_id, closed_at);
