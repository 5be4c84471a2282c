-- Parts' first-time fill per reservation request (read model, fed from the parts topic): how
-- many parts were asked for, and how many of them were on the shelf at that moment.
CREATE TABLE parts_fills (
    reservation_id  uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    requested_at    timestamptz NOT NULL,
    requested       integer NOT NULL DEFAULT 0,
    on_shelf        integer NOT NULL DEFAULT 0
);
CREATE INDEX parts_fills_period ON parts_fills (group_id, site_id, requested_at);
