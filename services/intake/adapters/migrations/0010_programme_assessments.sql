-- What the partner programmes' own assessments found, followed from compliance (`needs.found`): the police see it
-- on the case. One row per referral whose agency assessed: the latest version (compliance's count) wins.
CREATE TABLE programme_assessments (
    referral_id uuid PRIMARY KEY,
    case_id     uuid        NOT NULL REFERENCES cases (case_id),
    agency_id   text        NOT NULL,
    version     integer     NOT NULL,
    needs       jsonb       NOT NULL,
    assessed_at timestamptz NOT NULL
);
CREATE INDEX programme_assessments_case ON programme_assessments (case_id);
