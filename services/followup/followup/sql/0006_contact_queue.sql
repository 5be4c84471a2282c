-- The CS agents' contact queue: one row per appointment proposal (followup.Proposal*), due first.
CREATE TABLE contact_queue (
    proposal_id     uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    file_id         uuid NOT NULL,
    reason          text NOT NULL,
    contact_name    text NOT NULL,
    phone           text NOT NULL,
    plate           text NOT NULL,
    vin             text NOT NULL,
    model           text,
    due_on          date,
    campaign_id     uuid,
    repair_order_id uuid,
    phone_allowed   boolean NOT NULL,
    status          text NOT NULL,
    last_answer     text,
    answered_by     text,
    answered_at     timestamptz,
    call_again_at   timestamptz,
    appointment_id  uuid,
    slot_start      timestamptz,
    queued_at       timestamptz NOT NULL,
    booked_at       timestamptz,
    arrived_at      timestamptz,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX contact_queue_site ON contact_queue (group_id, site_id, status, due_on);
CREATE INDEX contact_queue_period ON contact_queue (group_id, site_id, queued_at);

-- Which proposal an appointment was booked from: its arrival completes the conversion.
CREATE TABLE proposal_appointments (
    appointment_id  uuid PRIMARY KEY,
    proposal_id     uuid NOT NULL
);

-- Single use of a proposal link: the digest of each token spent, written with the answer.
CREATE TABLE proposal_links_used (
    digest          text PRIMARY KEY,
    proposal_id     uuid NOT NULL,
    used_at         timestamptz NOT NULL
);

-- Messages that did not reach the customer (notifications.MessageFailed), for a person.
CREATE TABLE failed_messages (
    message_id      uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    customer_id     uuid NOT NULL,
    kind            text NOT NULL,
    channel         text NOT NULL,
    reference       text NOT NULL,
    status          text NOT NULL,
    reason          text NOT NULL,
    failed_at       timestamptz NOT NULL
);
CREATE INDEX failed_messages_site ON failed_messages (group_id, site_id, failed_at);

-- Who followed each failed message up (followup.FailedMessageHandled).
CREATE TABLE failed_messages_handled (
    message_id      uuid PRIMARY KEY,
    handled_by      text NOT NULL,
    note            text NOT NULL,
    handled_at      timestamptz NOT NULL
);
