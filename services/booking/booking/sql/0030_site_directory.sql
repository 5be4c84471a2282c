-- The group's site directory: each site's display name in Chinese and English (docs/desk.md
-- "Site names"). Configuration kept by the group's administrator, beside the site's capacity.
CREATE TABLE site_directory (
    group_id   text        NOT NULL,
    site_id    text        NOT NULL,
    name_zh    text        NOT NULL,
    name_en    text        NOT NULL,
    named_by   text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, site_id)
);
