-- The board's day is the site's local day (docs/flow.md "The advisor board"). Each site's time
-- zone comes from booking's capacity (booking.CapacitySet); a site without one is on Asia/Shanghai.
CREATE TABLE advisor_board_site (
    group_id   text NOT NULL,
    site_id    text NOT NULL,
    time_zone  text NOT NULL,
    PRIMARY KEY (group_id, site_id)
);
-- A date fixed when the card was folded was the UTC date, and cannot follow the site's zone: the
-- day's appointments are found by their slot's time between the site's local midnights instead,
-- and a visit stays on the board until the car is delivered, whatever day it arrived.
DROP INDEX advisor_board_site_day;
ALTER TABLE advisor_board DROP COLUMN day;
CREATE INDEX advisor_board_appointments ON advisor_board (group_id, site_id, slot_start) WHERE kind = 'appointment';
CREATE INDEX advisor_board_open_visits ON advisor_board (group_id, site_id) WHERE kind = 'visit' AND status <> 'delivered';
-- Rebuilt from the topics (a new consumer group generation reads them from the start): the sites'
-- capacity events went by before this table was there, and each car's late flag is now the
-- forecast held against the promise in force.
TRUNCATE advisor_board, advisor_board_merged;
DELETE FROM projection_streams WHERE projection = 'reception.advisor_board';
UPDATE projection_state SET generation = generation + 1, events_applied = 0, last_recorded_at = NULL,
    last_lag_ms = NULL
WHERE projection = 'reception.advisor_board';
