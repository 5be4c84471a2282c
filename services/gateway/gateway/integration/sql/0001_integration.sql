-- The gateway's integration surface: every public event once, in a gap-safe order, and the
-- webhook subscriptions that deliver from it.

-- Every event of every public topic, once (event_id is the inbox). `position` is given by the
-- sequencer in commit order (tx_id below the server-wide horizon, then id; decision 0001), so a
-- reader that has seen position N never later finds an N' < N appear.
CREATE TABLE integration_feed (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    position bigint UNIQUE,
    event_type text NOT NULL,
    group_id text NOT NULL,
    site_id text NOT NULL,
    occurred_at timestamptz NOT NULL,
    headers jsonb NOT NULL,
    data jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integration_feed_unsequenced ON integration_feed (tx_id, id) WHERE position IS NULL;
CREATE INDEX integration_feed_group_position ON integration_feed (group_id, position);
CREATE INDEX integration_feed_group_time ON integration_feed (group_id, occurred_at);

CREATE TABLE webhook_subscriptions (
    id uuid PRIMARY KEY,
    group_id text NOT NULL,
    url text NOT NULL,
    event_types text[] NOT NULL,
    site_ids text[] NOT NULL,         -- empty: every site of the group
    payload text NOT NULL,            -- 'thin' or 'full'
    secret text NOT NULL,
    previous_secret text,             -- still signs until previous_secret_until (key rotation)
    previous_secret_until timestamptz,
    status text NOT NULL DEFAULT 'active',  -- 'active', 'disabled' (410 Gone, or failing past max age)
    status_reason text,
    checkpoint bigint NOT NULL DEFAULT 0,    -- the last feed position delivered (or skipped as not wanted)
    failed_attempts integer NOT NULL DEFAULT 0,  -- of the event after the checkpoint
    first_failure_at timestamptz,
    next_attempt_at timestamptz,
    leased_by text,                   -- the gateway process delivering now, until leased_until
    leased_until timestamptz,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX webhook_subscriptions_group ON webhook_subscriptions (group_id) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id),
    position bigint NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    attempt integer NOT NULL,
    redelivery boolean NOT NULL DEFAULT false,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    status_code integer,
    error text,
    duration_ms integer NOT NULL,
    succeeded boolean NOT NULL
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, attempted_at DESC);
