-- Entries made at the same moment (a call and the letter that follows it, recorded together)
-- keep the order they were recorded in.
ALTER TABLE contact_log ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
