-- The advisor board (docs/domain.md "Boards and queues"), fed from booking's, reception's and the
-- workshop's topics: one row per car of the day — an appointment until the car is checked in,
-- then its visit. Disposable: rebuilt from the topics.
CREATE TABLE advisor_board (
    card_id           uuid PRIMARY KEY,
    group_id          text NOT NULL,
    site_id           text NOT NULL,
    kind              text NOT NULL,          -- appointment | visit
    appointment_id    uuid,
    repair_order_id   uuid,
    advisor           text,
    plate             text,
    customer_name     text,
    appointment_car   boolean NOT NULL DEFAULT false,
    slot_start        timestamptz,
    status            text NOT NULL,          -- booked, confirmed, arrived, no_show, cancelled, checked_in, in_workshop, settled, delivered
    stage             text,                   -- waiting_dispatch, in_progress, waiting_approval, waiting_parts, quality_check, ready
    open_jobs         integer NOT NULL DEFAULT 0,
    promised_at       timestamptz,
    forecast_ready_at timestamptz,
    late              boolean NOT NULL DEFAULT false,
    customer_waiting  boolean NOT NULL DEFAULT false,
    day               date NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX advisor_board_site_day ON advisor_board (group_id, site_id, day);
CREATE UNIQUE INDEX advisor_board_visit ON advisor_board (repair_order_id) WHERE repair_order_id IS NOT NULL;
