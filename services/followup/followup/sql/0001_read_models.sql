-- Read models of the followup service (disposable: rebuilt from the event logs), then the
-- policies' and timers' own tables (not read models: kept, never rebuilt).

-- The callback queue: one row per callback (the CS agent's and the supervisor's list).
CREATE TABLE callback_queue (
    callback_id           uuid PRIMARY KEY,
    group_id              text NOT NULL,
    site_id               text NOT NULL,
    repair_order_id       uuid NOT NULL,
    file_id               uuid NOT NULL,
    kind                  text NOT NULL,
    contact_name          text,
    phone                 text,
    plate                 text,
    vin                   text,
    model                 text,
    agent                 text,
    status                text NOT NULL,
    opens_at              timestamptz,
    due_at                timestamptz,
    hard_limit_at         timestamptz,
    attempts              integer NOT NULL DEFAULT 0,
    unreachable_attempts  integer NOT NULL DEFAULT 0,
    last_outcome          text,
    last_attempt_at       timestamptz,
    next_attempt_at       timestamptz,
    overdue               boolean NOT NULL DEFAULT false,
    satisfaction_score    integer,
    complaint_id          uuid,
    question              text,
    escalate_by           timestamptz,
    answer                text,
    answered_at           timestamptz,
    tell_customer_by      timestamptz,
    told_at               timestamptz,
    opened_at             timestamptz NOT NULL,
    closed_at             timestamptz,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX callback_queue_site ON callback_queue (group_id, site_id, status, due_at);
CREATE INDEX callback_queue_agent ON callback_queue (group_id, site_id, agent);

-- Every call (out- and inbound), letter and SMS, per customer file (seed 002 §3.7-3.8).
CREATE TABLE contact_log (
    entry_id         uuid PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    file_id          uuid,
    callback_id      uuid,
    campaign_id      uuid,
    repair_order_id  uuid,
    channel          text NOT NULL,
    direction        text,
    purpose          text NOT NULL,
    outcome          text,
    agent            text,
    phone            text,
    summary          text NOT NULL DEFAULT '',
    at               timestamptz NOT NULL
);
CREATE INDEX contact_log_file ON contact_log (file_id, at);
CREATE INDEX contact_log_site ON contact_log (group_id, site_id, at);
CREATE TABLE contact_log_callbacks (
    callback_id  uuid PRIMARY KEY,
    file_id      uuid NOT NULL
);

-- The customer files (the customer's record): the file, its visits, its notes, its proposals.
CREATE TABLE customer_files (
    file_id             uuid PRIMARY KEY,
    group_id            text NOT NULL,
    site_id             text NOT NULL,
    name                text NOT NULL,
    phone               text NOT NULL,
    customer_id         uuid,
    do_not_call         boolean NOT NULL DEFAULT false,
    do_not_call_reason  text,
    wishes              text[] NOT NULL DEFAULT '{}',
    visits              integer NOT NULL DEFAULT 0,
    last_visit_at       timestamptz,
    last_plate          text,
    opened_at           timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX customer_files_site ON customer_files (group_id, site_id, phone);
CREATE TABLE customer_file_visits (
    repair_order_id        uuid PRIMARY KEY,
    file_id                uuid NOT NULL,
    vin                    text NOT NULL,
    plate                  text NOT NULL,
    model                  text,
    owner_name             text NOT NULL,
    visited_at             timestamptz NOT NULL,
    mileage_km             integer NOT NULL,
    work_done              text[] NOT NULL,
    invoice_number         text,
    next_service_due_date  date,
    next_service_due_km    integer,
    due_by                 timestamptz NOT NULL,
    on_time                boolean NOT NULL,
    amended                boolean NOT NULL
);
CREATE INDEX customer_file_visits_file ON customer_file_visits (file_id, visited_at);
CREATE TABLE customer_file_notes (
    note_id      uuid PRIMARY KEY,
    file_id      uuid NOT NULL,
    note         text NOT NULL,
    source       text NOT NULL,
    callback_id  uuid,
    added_by     text NOT NULL,
    added_at     timestamptz NOT NULL
);
CREATE INDEX customer_file_notes_file ON customer_file_notes (file_id, added_at);
CREATE TABLE appointment_proposals (
    proposal_id     uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    file_id         uuid NOT NULL,
    reason          text NOT NULL,
    plate           text NOT NULL,
    suggested_date  date,
    contact_from    date,
    phone_allowed   boolean NOT NULL,
    proposed_at     timestamptz NOT NULL
);
CREATE INDEX appointment_proposals_file ON appointment_proposals (file_id);

-- CSI/VOC: one row per callback, the facts `followup.domain.voc` counts.
CREATE TABLE voc_callbacks (
    callback_id       uuid PRIMARY KEY,
    group_id          text NOT NULL,
    site_id           text NOT NULL,
    kind              text NOT NULL,
    due_at            timestamptz NOT NULL,
    hard_limit_at     timestamptz NOT NULL,
    counted           boolean NOT NULL DEFAULT true,
    reached_at        timestamptz,
    score             integer,
    categories        text[] NOT NULL DEFAULT '{}',
    complaint_raised  boolean NOT NULL DEFAULT false
);
CREATE INDEX voc_callbacks_period ON voc_callbacks (group_id, site_id, due_at);

-- Operational KPIs from the other services' lifecycle events: one yes/no fact per subject
-- (appointment arrival, delivery on time, first-time fix, additional work approved, no-show).
CREATE TABLE kpi_facts (
    metric    text NOT NULL,
    subject   uuid NOT NULL,
    group_id  text NOT NULL,
    site_id   text NOT NULL,
    at        timestamptz NOT NULL,
    ok        boolean NOT NULL,
    PRIMARY KEY (metric, subject)
);
CREATE INDEX kpi_facts_period ON kpi_facts (group_id, site_id, at);
-- Parts waits: from the shortage to the back-order filled.
CREATE TABLE parts_waits (
    reservation_id  uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    detected_at     timestamptz NOT NULL,
    filled_at       timestamptz
);
CREATE INDEX parts_waits_period ON parts_waits (group_id, site_id, detected_at);

-- Policy state (not read models) ---------------------------------------------------------

-- The two halves of a visit from reception, whichever came first (the delivery as published).
CREATE TABLE visit_facts (
    repair_order_id  uuid PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    delivery         jsonb,
    invoice_number   text,
    work_done        text[]
);

-- Every callback opened for a file, with the site it belongs to: do-not-call cancels them.
CREATE TABLE file_callbacks (
    callback_id  uuid PRIMARY KEY,
    file_id      uuid NOT NULL,
    group_id     text NOT NULL,
    site_id      text NOT NULL
);
CREATE INDEX file_callbacks_file ON file_callbacks (file_id);

-- Deadlines missed, raised once by their timer (escalated question unanswered, campaign letter
-- not sent) and resolved when the thing is done.
CREATE TABLE deadline_alerts (
    alert_id     text PRIMARY KEY,
    group_id     text NOT NULL,
    site_id      text NOT NULL,
    kind         text NOT NULL,
    subject_id   uuid NOT NULL,
    file_id      uuid,
    detail       text NOT NULL,
    due_at       timestamptz NOT NULL,
    raised_at    timestamptz NOT NULL,
    resolved_at  timestamptz
);
CREATE INDEX deadline_alerts_site ON deadline_alerts (group_id, site_id, resolved_at);

-- CSI/VOC: one row per complaint from the complaints service (kind, cause, responsibility, SLA).
CREATE TABLE voc_complaints (
    complaint_id    uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    kind            text NOT NULL,
    category        text NOT NULL,
    cause           text,
    responsibility  text,
    received_at     timestamptz NOT NULL,
    resolve_by      timestamptz NOT NULL,
    acted_at        timestamptz,
    breached        boolean NOT NULL DEFAULT false,
    closed_at       timestamptz
);
CREATE INDEX voc_complaints_period ON voc_complaints (group_id, site_id, received_at);
