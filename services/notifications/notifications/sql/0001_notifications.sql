-- Read models of the notifications service.

-- How to reach the person a trigger is about, learnt from other services' events: the repair
-- order's car user (reception's check-in: `ro:<id>`), a registered customer (booking: `customer:<id>`).
-- `subject` is the personal-data subject (the customer, or the phone's): an erasure deletes its rows.
CREATE TABLE contacts (
    group_id     text NOT NULL,
    key          text NOT NULL,
    customer_id  uuid,
    subject      uuid NOT NULL,
    name         text NOT NULL,
    phone        text NOT NULL,
    plate        text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (group_id, key)
);
CREATE INDEX contacts_subject ON contacts (subject);

-- Every message to a customer with its status (the customer file's list), written with its events.
CREATE TABLE messages (
    message_id           uuid PRIMARY KEY,
    group_id             text NOT NULL,
    site_id              text NOT NULL,
    customer_id          uuid NOT NULL,
    kind                 text NOT NULL,
    purpose              text NOT NULL,
    channel              text NOT NULL,
    recipient            text NOT NULL,
    subject              text NOT NULL,
    body                 text NOT NULL,
    reference            text NOT NULL,
    status               text NOT NULL,
    reason               text,
    attempts             integer NOT NULL DEFAULT 0,
    provider_message_id  text,
    send_at              timestamptz,
    requested_at         timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE INDEX messages_customer ON messages (group_id, site_id, customer_id, requested_at DESC);
