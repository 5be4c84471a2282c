-- The reservations made for each RO line, so that a removed line or the car's delivery can
-- give the parts back (those events do not list the parts). Policy state.
CREATE TABLE line_reservations (
    repair_order_id  uuid NOT NULL,
    line_id          uuid NOT NULL,
    part_number      text NOT NULL,
    reservation_id   uuid NOT NULL,
    PRIMARY KEY (line_id, part_number)
);
CREATE INDEX line_reservations_repair_order ON line_reservations (repair_order_id);

-- Appointment cars checked in, by the check-in's repair-order id: an exit slip names only that
-- id, and the appointment's parts are then given back. Policy state.
CREATE TABLE checked_in_appointments (
    repair_order_id  uuid PRIMARY KEY,
    appointment_id   uuid NOT NULL
);
