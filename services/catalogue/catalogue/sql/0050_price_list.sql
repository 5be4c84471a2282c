-- The parts price list (catalogue.price_list): one row per imported version of a dealer group's
-- list, and its parts. Not read models: an import's rows are here only, written in the same
-- transaction as its catalogue.PriceListImported event, never dropped or rebuilt. Numbered 0050
-- to stay clear of the catalogue's own migrations (0001 on).
--
-- The version in force on a date is the one with the latest `effective_from` on or before that
-- date (the highest `version` among versions of the same date).
-- Each version's parts are keyed by its `list_key`, taken from a sequence: a new version's keys
-- come after every earlier one's, and with its parts sorted by number the whole load appends to
-- the right end of the primary key (bench/catalogue_import.py: a random key costs ~40 %).
CREATE SEQUENCE price_list_key;
CREATE TABLE price_list_versions (
    price_list_id   uuid PRIMARY KEY,
    list_key        bigint NOT NULL UNIQUE,
    group_id        text NOT NULL,
    version         integer NOT NULL CHECK (version >= 1),  -- its event's version in `price_list-<group>`
    effective_from  date NOT NULL,
    rows            integer NOT NULL CHECK (rows >= 1),
    superseded      integer NOT NULL CHECK (superseded >= 0),
    checksum        text NOT NULL,  -- sha256 of the file: a retried import is recognised
    site_id         text NOT NULL,  -- where it was imported
    imported_by     text NOT NULL,
    imported_at     timestamptz NOT NULL,
    UNIQUE (group_id, version)
);
CREATE INDEX price_list_versions_in_force ON price_list_versions (group_id, effective_from DESC, version DESC);

CREATE TABLE price_list_parts (
    list_key       bigint NOT NULL,
    part_number    text NOT NULL,
    description    text NOT NULL,
    list_price     bigint NOT NULL CHECK (list_price >= 0),  -- fen
    cost           bigint NOT NULL CHECK (cost >= 0),  -- fen
    oem            boolean NOT NULL,
    superseded_by  text,
    PRIMARY KEY (list_key, part_number)
);

-- A version, once imported, is what quotes and signed repair orders were priced with: it never
-- changes. A change is a new version (docs/catalogue.md).
CREATE FUNCTION price_list_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a price-list version never changes: import a new version'
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER price_list_versions_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON price_list_versions
    FOR EACH STATEMENT EXECUTE FUNCTION price_list_is_immutable();
CREATE TRIGGER price_list_parts_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON price_list_parts
    FOR EACH STATEMENT EXECUTE FUNCTION price_list_is_immutable();
