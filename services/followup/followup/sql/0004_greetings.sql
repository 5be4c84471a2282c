-- Greeting time per check-in (read model, fed from reception's topic): when the car arrived and
-- when the customer was greeted, so a report can count the share greeted in time and the median.
CREATE TABLE greetings (
    repair_order_id  uuid PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    arrived_at       timestamptz NOT NULL,
    greeted_at       timestamptz NOT NULL
);
CREATE INDEX greetings_period ON greetings (group_id, site_id, arrived_at);
