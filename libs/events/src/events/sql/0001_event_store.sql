-- The event log: the source of truth, and the outbox the relay publishes from.
--
-- Order of the global log is (tx_id, position), read only below the oldest running
-- transaction (see docs/decisions/0001-global-log-order.md). Positions alone are not
-- commit order: a sequence value is taken at insert and becomes visible at commit.
CREATE TABLE events (
    position        bigint GENERATED ALWAYS AS IDENTITY,
    tx_id           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text NOT NULL,
    stream_version  integer NOT NULL CHECK (stream_version > 0),
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    schema_version  smallint NOT NULL,
    data            jsonb NOT NULL,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    -- The rest of the envelope, as columns: replay reads them without parsing JSON.
    actor           text NOT NULL,
    correlation_id  text NOT NULL,
    causation_id    text,
    traceparent     text,
    tracestate      text,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Two indexes in all, each maintained on every append: a stream's events (and the
    -- concurrency check), and the global log's order.
    PRIMARY KEY (stream_id, stream_version)
);
CREATE INDEX events_log_order ON events (tx_id, position);

-- Where each reader of the global log (relay, local projections) has got to.
CREATE TABLE log_checkpoints (
    reader      text PRIMARY KEY,
    tx_id       bigint NOT NULL,
    position    bigint NOT NULL,
    -- The broker cluster a relay last published to: a different one means the broker lost
    -- its data (the local broker keeps nothing across restarts) and everything is republished.
    cluster_id  text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Events a consumer has already handled: a second delivery of the same event has no effect.
CREATE TABLE inbox (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    handled_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Messages a consumer gave up on after bounded retries, kept for inspection and re-drive.
CREATE TABLE dead_letters (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer      text NOT NULL,
    topic         text NOT NULL,
    partition     integer NOT NULL,
    "offset"      bigint NOT NULL,
    event_id      uuid,
    event_type    text,
    key           bytea,
    value         bytea,
    headers       jsonb NOT NULL,
    error         text NOT NULL,
    attempts      integer NOT NULL,
    failed_at     timestamptz NOT NULL DEFAULT now(),
    redriven_at   timestamptz
);
CREATE INDEX dead_letters_open ON dead_letters (consumer) WHERE redriven_at IS NULL;

-- Durable timers (SLA clocks): one row per deadline, fired once.
CREATE TABLE timers (
    timer_id     text PRIMARY KEY,
    kind         text NOT NULL,
    due_at       timestamptz NOT NULL,
    payload      jsonb NOT NULL,
    group_id     text NOT NULL,
    site_id      text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    fired_at     timestamptz,
    cancelled_at timestamptz
);
CREATE INDEX timers_pending ON timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;

-- Read models (projections): where each one has got to. A projection fed from the local log
-- keeps its log position; one fed from Kafka keeps per-stream versions (below) and a
-- generation: a rebuild starts a new consumer group, which reads the topics from the start.
CREATE TABLE projection_state (
    projection        text PRIMARY KEY,
    generation        integer NOT NULL DEFAULT 1,
    tx_id             bigint NOT NULL DEFAULT 0,
    position          bigint NOT NULL DEFAULT 0,
    events_applied    bigint NOT NULL DEFAULT 0,
    last_recorded_at  timestamptz,
    last_lag_ms       double precision,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE projection_streams (
    projection   text NOT NULL,
    stream_id    text NOT NULL,
    version      integer NOT NULL,
    PRIMARY KEY (projection, stream_id)
);
