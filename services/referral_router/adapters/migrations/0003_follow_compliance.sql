-- The router places needs; compliance owns what then happens to a referral and to the case. The
-- router's `status` columns follow compliance's events (`sequence` says which change it last applied),
-- so after any run both services hold the same state for every referral and case.
-- Unmatched needs are referrals too (no agency yet), so compliance can see work waiting for a place.

ALTER TABLE cases DROP CONSTRAINT cases_status_check;
UPDATE cases SET status = 'completed' WHERE status = 'closed';
ALTER TABLE cases
    ADD COLUMN complete_by date,
    ADD COLUMN needs_assessed boolean NOT NULL DEFAULT false,
    ADD COLUMN sequence integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT cases_status CHECK (status IN (
        'open', 'completed', 'not_completed', 'awaiting_police_decision', 'breached',
        'prosecuted', 'no_further_action', 'withdrawn'));

-- The case's conditions: their terms come from the police (intake's events), their status from compliance.
-- An agency's condition makes its need one the router must place, and is what that agency is told to deliver.
CREATE TABLE case_conditions (
    condition_id   uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES cases (case_id),
    terms          jsonb,
    status         text NOT NULL DEFAULT 'open',
    sequence       integer NOT NULL DEFAULT 0
);
CREATE INDEX case_conditions_case ON case_conditions (case_id);

ALTER TABLE referrals DROP CONSTRAINT referrals_status_check;
ALTER TABLE referrals
    ALTER COLUMN agency_id DROP NOT NULL,
    ADD COLUMN replaces uuid[] NOT NULL DEFAULT '{}',
    ADD COLUMN sequence integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT referrals_status CHECK (status IN (
        'unmatched', 'queued', 'issued', 'accepted', 'in_progress', 'completed', 'breached', 'disengaged',
        'declined', 'timed_out', 'agency_withdrew', 'cancelled'));
CREATE INDEX referrals_waiting ON referrals (created_at) WHERE status IN ('unmatched', 'queued');

INSERT INTO referrals (referral_id, case_id, agency_id, needs, delivery_mode, status, explanation, candidates,
                       created_at, updated_at)
SELECT gen_random_uuid(), case_id, NULL, needs, 'face_to_face', 'unmatched', explanation, '[]', created_at, created_at
FROM unmatched_needs;
DROP TABLE unmatched_needs;
