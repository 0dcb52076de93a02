-- Compliance is the one owner of the case's, each condition's and each referral's lifecycle.
-- Every change is counted (`sequence`) and published with its count, so the services that follow
-- apply only a newer one. The router's placements (queued, unmatched) are referrals here too, so
-- work that waits for a place is visible: it keeps a case from completing, and at the deadline it
-- makes the case "unable to comply — no place available" rather than breached.

ALTER TABLE cases RENAME COLUMN outcome_reason TO reason;
ALTER TABLE cases
    ADD COLUMN next_step       text,
    ADD COLUMN police_decision text,
    ADD COLUMN sequence        integer NOT NULL DEFAULT 0;
UPDATE cases SET status = 'not_completed' WHERE status = 'non_completion';
UPDATE cases SET status = 'awaiting_police_decision', next_step = 'prosecution_decision' WHERE status = 'breached';
ALTER TABLE cases ADD CONSTRAINT cases_status CHECK (status IN (
    'open', 'completed', 'not_completed', 'awaiting_police_decision', 'breached',
    'prosecuted', 'no_further_action', 'withdrawn'));

ALTER TABLE conditions
    ADD COLUMN evidence          text    NOT NULL DEFAULT 'completion',
    ADD COLUMN reported_by       text    NOT NULL DEFAULT 'agency',
    ADD COLUMN hours             integer,
    ADD COLUMN amount_pence      integer,
    ADD COLUMN own_complete_by   date,
    ADD COLUMN reason            text,
    ADD COLUMN amount_paid_pence integer NOT NULL DEFAULT 0,
    ADD COLUMN hours_done        integer NOT NULL DEFAULT 0,
    ADD COLUMN sequence          integer NOT NULL DEFAULT 0;
ALTER TABLE conditions ALTER COLUMN evidence DROP DEFAULT, ALTER COLUMN reported_by DROP DEFAULT;
UPDATE conditions SET status = 'met' WHERE status = 'completed';
ALTER TABLE conditions ADD CONSTRAINT conditions_status CHECK (status IN ('open', 'met', 'breached', 'varied', 'cancelled'));
CREATE INDEX conditions_open_by_deadline ON conditions (own_complete_by) WHERE status = 'open' AND own_complete_by IS NOT NULL;

ALTER TABLE referrals
    ALTER COLUMN agency_id  DROP NOT NULL,
    ALTER COLUMN issued_at  DROP NOT NULL,
    ALTER COLUMN respond_by DROP NOT NULL,
    ADD COLUMN replaces   uuid[]  NOT NULL DEFAULT '{}',
    ADD COLUMN reason     text,
    ADD COLUMN superseded boolean NOT NULL DEFAULT false,
    ADD COLUMN scheduled  uuid[]  NOT NULL DEFAULT '{}',
    ADD COLUMN missed     uuid[]  NOT NULL DEFAULT '{}',
    ADD COLUMN brief      jsonb   NOT NULL DEFAULT '{}',
    ADD COLUMN sequence   integer NOT NULL DEFAULT 0;
UPDATE referrals SET status = 'declined', superseded = true WHERE status = 'reassigned';
ALTER TABLE referrals ADD CONSTRAINT referrals_status CHECK (status IN (
    'unmatched', 'queued', 'issued', 'accepted', 'in_progress', 'completed', 'breached', 'disengaged',
    'declined', 'timed_out', 'agency_withdrew', 'cancelled'));
CREATE INDEX referrals_awaiting_answer ON referrals (respond_by) WHERE status = 'issued';

-- What the officer in the case and the victim-contact role reported about conditions, applied or not.
CREATE TABLE condition_reports (
    id           bigserial   PRIMARY KEY,
    case_id      uuid        NOT NULL REFERENCES cases (case_id),
    condition_id uuid        NOT NULL,
    reported_by  text        NOT NULL,
    report       text        NOT NULL,
    amount_pence integer,
    hours        integer,
    occurred_at  timestamptz NOT NULL,
    received_at  timestamptz NOT NULL,
    applied      boolean     NOT NULL
);
CREATE INDEX condition_reports_case ON condition_reports (case_id, id);

-- The police's decisions after a breach, applied or not (a decision on a breach the case moved past).
CREATE TABLE police_decisions (
    id              bigserial   PRIMARY KEY,
    case_id         uuid        NOT NULL REFERENCES cases (case_id),
    decision        text        NOT NULL,
    officer         text        NOT NULL,
    reason          text        NOT NULL,
    breach_sequence integer     NOT NULL,
    breach_reason   text,
    decided_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    applied         boolean     NOT NULL
);
CREATE INDEX police_decisions_case ON police_decisions (case_id, id);
