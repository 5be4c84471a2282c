-- Read models of the parts service (disposable: rebuilt from the event log).

-- On hand, held and awaited quantities per part and site: the parts clerk's stock list.
CREATE TABLE stock_levels (
    group_id      text NOT NULL,
    site_id       text NOT NULL,
    part_number   text NOT NULL,
    on_hand       integer NOT NULL DEFAULT 0,
    reserved      integer NOT NULL DEFAULT 0,
    backordered   integer NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (site_id, part_number)
);
CREATE INDEX stock_levels_group ON stock_levels (group_id, site_id);

-- Sites this service has seen, with their dealer group: a transfer may only come from a
-- site of the requesting site's own group.
CREATE TABLE known_sites (
    site_id   text PRIMARY KEY,
    group_id  text NOT NULL
);

-- Emergency orders and transfers with their status, for the requesting and the giving site.
CREATE TABLE parts_orders (
    parts_order_id  uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    kind            text NOT NULL,
    status          text NOT NULL,
    supplier        text,
    from_site_id    text,
    expected_at     timestamptz,
    lines           jsonb NOT NULL,
    outstanding     integer NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX parts_orders_site ON parts_orders (group_id, site_id, status);
CREATE INDEX parts_orders_from_site ON parts_orders (group_id, from_site_id, status);
