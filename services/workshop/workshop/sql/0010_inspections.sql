-- The digital vehicle inspection (docs/inspection.md).

-- Read models (disposable: rebuilt from the event log). One row per inspection, one per item;
-- a car's last completed inspection (by VIN, across the group's sites) is carried forward.
CREATE TABLE inspections (
    repair_order_id  uuid PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    vin              text NOT NULL,
    template_id      text NOT NULL,
    opened_at        timestamptz NOT NULL,
    completed_at     timestamptz,
    green            integer NOT NULL DEFAULT 0,
    yellow           integer NOT NULL DEFAULT 0,
    red              integer NOT NULL DEFAULT 0
);
CREATE INDEX inspections_vin ON inspections (group_id, vin, completed_at DESC) WHERE completed_at IS NOT NULL;

CREATE TABLE inspection_items (
    repair_order_id  uuid NOT NULL,
    item_id          text NOT NULL,
    grade            text NOT NULL,
    note             text NOT NULL DEFAULT '',
    measured         double precision,
    media            jsonb NOT NULL DEFAULT '[]',
    finding_id       uuid,
    declined         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (repair_order_id, item_id)
);
CREATE INDEX inspection_items_finding ON inspection_items (finding_id) WHERE finding_id IS NOT NULL;

-- What the media store keeps (not a read model: the bytes outlive any replay, and an erasure
-- must stay done). `storage_key`/`thumbnail_key` are the store's keys; erased rows keep the facts.
CREATE TABLE media (
    media_id         uuid PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    repair_order_id  uuid NOT NULL,
    item_id          text NOT NULL,
    kind             text NOT NULL,
    content_type     text NOT NULL,
    bytes            integer NOT NULL,
    storage_key      text NOT NULL,
    thumbnail_key    text,
    uploaded_by      text NOT NULL,
    uploaded_at      timestamptz NOT NULL,
    erased_at        timestamptz
);
CREATE INDEX media_order ON media (repair_order_id);

-- Whose car each repair order is (reception.VehicleCheckedIn: the customer's and the user's
-- subject ids), so an erasure of a customer finds the media of their cars' repair orders.
CREATE TABLE repair_order_subjects (
    repair_order_id  uuid PRIMARY KEY,
    group_id         text NOT NULL,
    subject_ids      uuid[] NOT NULL
);
CREATE INDEX repair_order_subjects_subject ON repair_order_subjects USING gin (subject_ids);
