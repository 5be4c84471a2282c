-- Read models of the booking service (disposable: rebuilt from the event logs).

-- One row per appointment: the advisors' day lists and the board's appointment column.
CREATE TABLE appointments (
    appointment_id        uuid PRIMARY KEY,
    group_id              text NOT NULL,
    site_id               text NOT NULL,
    advisor_id            text NOT NULL,
    slot_start            timestamptz NOT NULL,
    estimated_minutes     integer NOT NULL,
    status                text NOT NULL,  -- booked, arrived, no_show, cancelled
    kind                  text NOT NULL,
    reason                text NOT NULL,
    customer_name         text NOT NULL,
    customer_phone        text NOT NULL,
    user_name             text NOT NULL,
    user_phone            text NOT NULL,
    vin                   text NOT NULL,
    plate                 text NOT NULL,
    model                 text,
    jobs                  text[] NOT NULL,
    confirmations         text[] NOT NULL DEFAULT '{}',
    reminded_at           timestamptz,
    confirmation_overdue  boolean NOT NULL DEFAULT false,
    prepared              boolean NOT NULL DEFAULT false,
    parts_ready           boolean,
    arrived_at            timestamptz,
    priority              text,
    booked_at             timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX appointments_day ON appointments (group_id, site_id, slot_start);

-- The customer database of a site: found by phone, their vehicles by VIN or plate.
CREATE TABLE customers (
    customer_id        uuid PRIMARY KEY,
    group_id           text NOT NULL,
    site_id            text NOT NULL,
    name               text NOT NULL,
    phones             text[] NOT NULL,
    preferred_contact  text NOT NULL,
    do_not_call        boolean NOT NULL
);
CREATE INDEX customers_phones ON customers USING gin (phones);

CREATE TABLE vehicles (
    vehicle_id   uuid PRIMARY KEY,
    customer_id  uuid NOT NULL,
    group_id     text NOT NULL,
    site_id      text NOT NULL,
    vin          text NOT NULL,
    plate        text NOT NULL,
    model        text NOT NULL,
    year         integer NOT NULL,
    user_name    text,
    user_phone   text
);
CREATE INDEX vehicles_vin ON vehicles (group_id, site_id, vin);
CREATE INDEX vehicles_plate ON vehicles (group_id, site_id, plate);

-- Fed from reception: each visit of a car (per group and VIN), for preparation.
CREATE TABLE service_history (
    repair_order_id        uuid PRIMARY KEY,
    group_id               text NOT NULL,
    site_id                text NOT NULL,
    vin                    text NOT NULL,
    plate                  text NOT NULL,
    visited_on             date,
    mileage_km             integer,
    work_done              text[] NOT NULL DEFAULT '{}',
    invoice_number         text,
    total                  integer,
    delivered_at           timestamptz,
    settled_at             timestamptz,
    next_service_due_date  date,
    next_service_due_km    integer
);
CREATE INDEX service_history_vin ON service_history (group_id, vin);

-- Fed from reception: findings the customer declined, offered at the car's next preparation
-- until a later signed repair order does the work (same labour operation).
CREATE TABLE declined_recommendations (
    finding_id               uuid PRIMARY KEY,
    group_id                 text NOT NULL,
    site_id                  text NOT NULL,
    vin                      text NOT NULL,
    repair_order_id          uuid NOT NULL,
    description              text NOT NULL,
    safety_critical          boolean NOT NULL,
    labour_minutes           integer NOT NULL,
    labour_price             integer NOT NULL,
    parts_price              integer NOT NULL,
    labour_operations        text[] NOT NULL,
    declined_at              timestamptz NOT NULL,
    done_at                  timestamptz,
    done_by_repair_order_id  uuid
);
CREATE INDEX declined_recommendations_open ON declined_recommendations (group_id, vin) WHERE done_at IS NULL;

-- Fed from parts: what parts holds and lacks for each appointment (the parts pre-check).
CREATE TABLE appointment_parts (
    appointment_id  uuid NOT NULL,
    part_number     text NOT NULL,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    reserved        integer NOT NULL DEFAULT 0,
    missing         integer NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (appointment_id, part_number)
);
