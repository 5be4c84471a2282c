-- Triggers that came before the event naming their customer (a workshop's "car ready" handled
-- before reception's check-in: two topics, no order between them). Each waits here, with the
-- contact keys it needs (`ro:<id>`, `customer:<id>`), until one is learnt or its timer gives up
-- (`waiting.CONTACT_WAIT`); the row goes in the transaction that handles the trigger.
CREATE TABLE waiting_triggers (
    event_id        uuid PRIMARY KEY,
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    group_id        text NOT NULL,
    keys            text[] NOT NULL,
    event_type      text NOT NULL,
    schema_version  integer NOT NULL,
    data            text NOT NULL,
    stream_id       text NOT NULL,
    stream_version  bigint NOT NULL,
    metadata        jsonb NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    parked_at       timestamptz NOT NULL
);
CREATE INDEX waiting_triggers_keys ON waiting_triggers USING gin (keys);
