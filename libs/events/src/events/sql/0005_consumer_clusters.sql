-- The broker cluster each consumer group last read from. A broker that lost its data (the
-- local one keeps nothing across restarts) comes back with a new cluster id, and the relays
-- republish every log from the start; the group's committed offsets, if any survived in a
-- client's hands, point into the old log. A group that finds a new cluster reads from the
-- beginning again (its consumers' inboxes and stream versions make the repeats harmless).
CREATE TABLE consumer_clusters (
    consumer_group  text PRIMARY KEY,
    cluster_id      text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
