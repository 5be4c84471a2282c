-- Read models of the workshop service (disposable: rebuilt from the event log).

-- One row per work order: the dispatcher's and the advisor's view of a car in the workshop.
CREATE TABLE work_orders (
    repair_order_id    uuid PRIMARY KEY,
    group_id           text NOT NULL,
    site_id            text NOT NULL,
    vin                text NOT NULL,
    plate              text NOT NULL,
    priority           text NOT NULL,
    customer_waiting   boolean NOT NULL,
    stage              text NOT NULL,
    promised_at        timestamptz NOT NULL,
    forecast_ready_at  timestamptz,
    running_late       boolean NOT NULL DEFAULT false,
    pending_findings   integer NOT NULL DEFAULT 0,
    failed_checks      integer NOT NULL DEFAULT 0,
    opened_at          timestamptz NOT NULL,
    ready_at           timestamptz,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX work_orders_site ON work_orders (group_id, site_id, stage);

-- One row per job, with who has it and whether it waits for parts.
CREATE TABLE work_order_jobs (
    job_id            uuid PRIMARY KEY,
    repair_order_id   uuid NOT NULL,
    group_id          text NOT NULL,
    site_id           text NOT NULL,
    labour_operation  text NOT NULL,
    description       text NOT NULL,
    planned_minutes   integer NOT NULL,
    status            text NOT NULL,
    technician_id     text,
    bay               text,
    worked_minutes    integer NOT NULL DEFAULT 0,
    missing_parts     integer NOT NULL DEFAULT 0,
    rework            boolean NOT NULL DEFAULT false,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX work_order_jobs_order ON work_order_jobs (repair_order_id);
CREATE INDEX work_order_jobs_technician ON work_order_jobs (group_id, site_id, technician_id);

-- Parts signals for RO lines whose job does not exist yet (the parts topic ran ahead of the
-- reception topic); the policy applies them when the job is created. Policy state, not a read model.
CREATE TABLE parked_parts_signals (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repair_order_id  uuid NOT NULL,
    job_id           uuid NOT NULL,
    part_number      text NOT NULL,
    missing_delta    integer NOT NULL,
    at               timestamptz NOT NULL
);
CREATE INDEX parked_parts_signals_order ON parked_parts_signals (repair_order_id, job_id);
