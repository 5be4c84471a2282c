-- Technician productivity and bay utilisation (read model, fed from the workshop's and booking's
-- topics; followup.productivity): what is clocked on now, each ended session on a job, each job's
-- flat-rate minutes sold, each bay hold, and the sites' opening hours and bays.
CREATE TABLE productivity_open_clocks (
    site_id  text NOT NULL,
    clock    text NOT NULL,         -- 'technician', or 'bay:<bay>'
    job_id   uuid NOT NULL,
    holder   text NOT NULL,         -- the technician or the bay
    since    timestamptz NOT NULL,
    PRIMARY KEY (site_id, clock, job_id)
);
CREATE TABLE technician_sessions (
    job_id           uuid NOT NULL,
    started_at       timestamptz NOT NULL,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    repair_order_id  uuid NOT NULL,
    technician_id    text NOT NULL,
    ended_at         timestamptz NOT NULL,
    worked_minutes   integer NOT NULL,
    PRIMARY KEY (job_id, started_at)
);
CREATE INDEX technician_sessions_period ON technician_sessions (group_id, site_id, started_at);
CREATE TABLE technician_sales (
    job_id           uuid PRIMARY KEY,
    group_id         text NOT NULL,
    site_id          text NOT NULL,
    repair_order_id  uuid NOT NULL,
    technician_id    text NOT NULL,
    completed_at     timestamptz NOT NULL,
    sold_minutes     integer NOT NULL
);
CREATE INDEX technician_sales_period ON technician_sales (group_id, site_id, completed_at);
CREATE TABLE bay_holds (
    site_id   text NOT NULL,
    bay       text NOT NULL,
    job_id    uuid NOT NULL,
    taken_at  timestamptz NOT NULL,
    group_id  text NOT NULL,
    freed_at  timestamptz NOT NULL,
    PRIMARY KEY (site_id, bay, job_id, taken_at)
);
CREATE INDEX bay_holds_period ON bay_holds (group_id, site_id, taken_at);
CREATE TABLE site_opening_hours (
    site_id        text PRIMARY KEY,
    group_id       text NOT NULL,
    timezone       text NOT NULL,
    opens_at       time NOT NULL,
    closes_at      time NOT NULL,
    open_weekdays  integer[] NOT NULL,
    bays           integer NOT NULL
);
