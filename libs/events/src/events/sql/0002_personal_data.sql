-- Customers' personal data (docs/decisions/0004-personal-data.md).

-- One key per data subject (a customer, or a contact known only by phone). Erasure sets the key
-- to NULL and keeps the row: the subject's tokens stay in the log and no longer open.
CREATE TABLE personal_data_keys (
    subject_id  uuid PRIMARY KEY,
    key         bytea CHECK (key IS NULL OR length(key) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    erased_at   timestamptz
);

-- Who read whose personal data, through which endpoint (role-limited reads are audited).
CREATE TABLE personal_data_reads (
    read_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     text NOT NULL,
    roles       text[] NOT NULL,
    group_id    text NOT NULL,
    subject_id  text NOT NULL,
    endpoint    text NOT NULL,
    read_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX personal_data_reads_subject ON personal_data_reads (subject_id, read_at);
