-- Messages decided at the same moment (a manual clock's tick, or two triggers in one poll) keep
-- the order they were recorded in: the customer file's "newest first" is then one order, not the
-- message ids' (derived from a hash, so arbitrary).
ALTER TABLE messages ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
DROP INDEX messages_customer;
CREATE INDEX messages_customer ON messages (group_id, site_id, customer_id, requested_at DESC, seq DESC);
