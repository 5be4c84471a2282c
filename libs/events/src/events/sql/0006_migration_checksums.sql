-- The sha256 of each applied migration's SQL: a migration edited after it was applied would
-- leave databases migrated before and after the edit different with nothing to show for it.
-- Start-up refuses such a file (events.migrations); rows applied before this column existed
-- get the checksum of their file as it is on the first start that finds them without one.
-- (A database created since has the column from the start: IF NOT EXISTS.)
ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text;
