-- The catalogue's data: versioned tables, written in the same transaction as the event that
-- names each change (docs/decisions/0014-catalogue-data-in-versioned-tables.md). Not read models:
-- an import's rows are here only, so these tables are never dropped or rebuilt. Rows are only
-- ever inserted; a change is a new row in force from its `effective_from`, and a lookup on a
-- date takes, per key, the row with the latest `effective_from` on or before that date (the
-- latest recorded, `seq`, among rows of the same date).

-- Labour operations: one row per code × model family ('*': every family) per version. Group-wide
-- rows have no site; a site's override names its site.
CREATE TABLE labour_operation_versions (
    seq                bigserial PRIMARY KEY,
    group_id           text NOT NULL,
    site_id            text,
    scope              text NOT NULL CHECK (scope IN ('group', 'site')),
    code               text NOT NULL,
    model_family       text NOT NULL,
    description_zh     text NOT NULL,
    description_en     text NOT NULL,
    flat_rate_minutes  integer NOT NULL CHECK (flat_rate_minutes >= 0),
    skill_level        integer NOT NULL CHECK (skill_level >= 1),
    effective_from     date NOT NULL,
    source_id          uuid NOT NULL,  -- the import or the edit that wrote the row (its event names it)
    recorded_by        text NOT NULL,
    recorded_at        timestamptz NOT NULL,
    CHECK ((scope = 'group') = (site_id IS NULL))
);
CREATE INDEX labour_operation_versions_lookup
    ON labour_operation_versions (group_id, code, model_family, effective_from DESC, seq DESC);
CREATE INDEX labour_operation_versions_source ON labour_operation_versions (source_id);

-- The imports, as their events record them (who, when, what file), for the import list.
CREATE TABLE labour_imports (
    import_id       uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,  -- the site the import was sent through
    scope           text NOT NULL,
    effective_from  date NOT NULL,
    rows            integer NOT NULL,
    operations      integer NOT NULL,
    sha256          text NOT NULL,
    imported_by     text NOT NULL,
    imported_at     timestamptz NOT NULL
);

-- Labour rates: fen per hour per pay type at a site, one row per pay type per version.
CREATE TABLE labour_rate_versions (
    seq             bigserial PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    effective_from  date NOT NULL,
    rates           jsonb NOT NULL,  -- {"CUSTOMER_PAY": 38000, ...}
    recorded_by     text NOT NULL,
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX labour_rate_versions_lookup ON labour_rate_versions (group_id, site_id, effective_from DESC, seq DESC);

-- Service menus of a site, per version.
CREATE TABLE service_menu_versions (
    seq              bigserial PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    menu_id          text NOT NULL,
    model_family     text NOT NULL,
    name_zh          text NOT NULL,
    name_en          text NOT NULL,
    interval_km      integer NOT NULL CHECK (interval_km > 0),
    interval_months  integer NOT NULL CHECK (interval_months > 0),
    items            jsonb NOT NULL,
    effective_from   date NOT NULL,
    recorded_by      text NOT NULL,
    recorded_at      timestamptz NOT NULL
);
CREATE INDEX service_menu_versions_lookup
    ON service_menu_versions (group_id, site_id, menu_id, effective_from DESC, seq DESC);
CREATE INDEX service_menu_versions_family ON service_menu_versions (group_id, site_id, model_family);

-- The time zone of each site (booking's capacity plan names it), for "today" at the site.
CREATE TABLE catalogue_site_zones (
    group_id   text NOT NULL,
    site_id    text NOT NULL,
    time_zone  text NOT NULL,
    PRIMARY KEY (group_id, site_id)
);
