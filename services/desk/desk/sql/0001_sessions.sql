-- The desk's sessions, server-side: the browser's cookie holds only a random id, stored here by
-- its sha256 (a copy of this table opens no session). The tokens never leave the server.
CREATE TABLE desk_sessions (
    id_hash text PRIMARY KEY,
    csrf_token text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    group_id text NOT NULL,
    roles text[] NOT NULL,
    site_ids text[] NOT NULL,
    all_sites boolean NOT NULL,
    site_id text,  -- the site picked; '*' all sites of the group; NULL not picked yet
    access_token text NOT NULL,
    refresh_token text,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX desk_sessions_last_seen ON desk_sessions (last_seen_at);

-- A sign-in under way: what the provider's answer is checked against, kept until it comes back
-- (single use) and bound to the browser that started it by the same `state` in a cookie.
CREATE TABLE desk_sign_ins (
    state_hash text PRIMARY KEY,
    nonce text NOT NULL,
    verifier text NOT NULL,
    return_to text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
