-- Partner agencies' own needs assessments: the router places the needs a person agreed to be referred onward for,
-- as referrals that name the referral whose agency found them. What an agency must know to work safely (the
-- officer's risk assessment, safeguarding flags, the officer's contact) is kept with the case, for the brief.

ALTER TABLE cases ADD COLUMN safety jsonb;
ALTER TABLE referrals ADD COLUMN onward_from uuid;

-- The latest assessment each referral's agency made (`version`: compliance's count, a higher one wins), and the
-- needs it found.
CREATE TABLE programme_assessments (
    found_by    uuid PRIMARY KEY,
    case_id     uuid        NOT NULL REFERENCES cases (case_id),
    agency_id   text        NOT NULL,
    version     integer     NOT NULL,
    assessed_at timestamptz NOT NULL
);
CREATE INDEX programme_assessments_case ON programme_assessments (case_id);

CREATE TABLE found_needs (
    found_by uuid NOT NULL REFERENCES programme_assessments (found_by) ON DELETE CASCADE,
    category text NOT NULL,
    severity text NOT NULL,
    onward   text NOT NULL CHECK (onward IN ('not_needed', 'consented', 'refused')),
    PRIMARY KEY (found_by, category)
);
