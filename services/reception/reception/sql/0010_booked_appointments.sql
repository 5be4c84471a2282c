-- What reception has heard from booking of each appointment (booking's topic; disposable:
-- rebuilt from it): a check-in of an appointment car takes its arrival and priority from here
-- (docs/decisions/0006-check-in-from-booking.md). No personal data: the desk has its own.
CREATE TABLE booked_appointments (
    appointment_id  uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    status          text NOT NULL,
    arrived_at      timestamptz,
    priority        text,
    updated_at      timestamptz NOT NULL
);
