-- Kept state, not read models: written in the transaction of the command they guard, never rebuilt.

-- Appointments customers booked themselves (booking.self_booking), for the limit of open internet
-- bookings per phone per site. The phone is kept only as a digest of its digits.
CREATE TABLE self_bookings (
    appointment_id  uuid PRIMARY KEY,
    group_id        text NOT NULL,
    site_id         text NOT NULL,
    phone_digest    text NOT NULL,
    slot_start      timestamptz NOT NULL,
    booked_at       timestamptz NOT NULL
);
CREATE INDEX self_bookings_phone ON self_bookings (group_id, site_id, phone_digest, slot_start);

-- Decisions taken through an appointment link (booking.appointment_links): one row per token and
-- decision (confirm, cancel, reschedule), written with the decision; a second use is refused.
CREATE TABLE appointment_links_used (
    digest          text NOT NULL,
    decision        text NOT NULL,
    appointment_id  uuid NOT NULL,
    used_at         timestamptz NOT NULL,
    PRIMARY KEY (digest, decision)
);
