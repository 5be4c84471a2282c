-- A booking that trails its own check-in on the topics must not bring the appointment's card back:
-- the projection looks the appointment up before it adds a card.
CREATE INDEX advisor_board_appointment ON advisor_board (appointment_id) WHERE appointment_id IS NOT NULL;
