-- Fed from workshop: each finding's grade and photos (workshop.AdditionalWorkFound), so a
-- declined recommendation comes back at the car's next preparation with its evidence.
CREATE TABLE finding_evidence (
    finding_id  uuid PRIMARY KEY,
    group_id    text NOT NULL,
    severity    text NOT NULL,
    media       jsonb NOT NULL DEFAULT '[]'
);
