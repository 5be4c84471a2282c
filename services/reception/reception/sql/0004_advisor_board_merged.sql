-- The appointments whose cards became a visit's card at check-in: a booking event that trails the
-- check-in on the topics finds its appointment here and adds no card (the board folds pages of
-- events in memory, looking rows up by key).
CREATE TABLE advisor_board_merged (
    appointment_id  uuid PRIMARY KEY,
    card_id         uuid NOT NULL
);
INSERT INTO advisor_board_merged (appointment_id, card_id)
SELECT appointment_id, card_id FROM advisor_board WHERE kind = 'visit' AND appointment_id IS NOT NULL
ON CONFLICT DO NOTHING;
