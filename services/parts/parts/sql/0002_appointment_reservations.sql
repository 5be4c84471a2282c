-- The parts held for each appointment, so that a cancellation, a no-show or the car's signed
-- repair order can release them (those events do not list the parts). Policy state.
CREATE TABLE appointment_reservations (
    appointment_id  uuid NOT NULL,
    part_number     text NOT NULL,
    reservation_id  uuid NOT NULL,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    PRIMARY KEY (appointment_id, part_number)
);

-- Appointments whose parts were already handed back (cancelled, no-show, or the car's RO
-- signed): booking's and reception's topics are not ordered against each other, so a late
-- AppointmentBooked must not hold parts again.
CREATE TABLE appointments_closed (
    appointment_id  uuid PRIMARY KEY
);
