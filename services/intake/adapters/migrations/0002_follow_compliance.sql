-- Intake is the police's door, and shows them every outcome. The case's status after opening, and each
-- condition's and referral's, are compliance's: intake follows its events (`sequence` says which change
-- it last applied) and refuses a command that makes no sense for the status it knows.

ALTER TABLE cases DROP CONSTRAINT cases_status_check;
ALTER TABLE cases
    ADD COLUMN offence_category text,
    ADD COLUMN reason           text,
    ADD COLUMN next_step        text,
    ADD COLUMN sequence         integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT cases_status CHECK (status IN (
        'open', 'completed', 'not_completed', 'awaiting_police_decision', 'breached',
        'prosecuted', 'no_further_action', 'withdrawn', 'rejected'));

-- The conditions as the police set them (at the decision, or varied after a reasonable excuse),
-- with the status and progress compliance reports.
CREATE TABLE case_conditions (
    condition_id      uuid PRIMARY KEY,
    case_id           uuid    NOT NULL REFERENCES cases (case_id),
    terms             jsonb   NOT NULL,
    status            text    NOT NULL DEFAULT 'open',
    reason            text,
    amount_paid_pence integer NOT NULL DEFAULT 0,
    hours_done        integer NOT NULL DEFAULT 0,
    sequence          integer NOT NULL DEFAULT 0,
    added_at          timestamptz NOT NULL,
    position          integer NOT NULL
);
CREATE INDEX case_conditions_case ON case_conditions (case_id, added_at, position);

-- The case's referrals as compliance reports them.
CREATE TABLE case_referrals (
    referral_id uuid PRIMARY KEY,
    case_id     uuid    NOT NULL REFERENCES cases (case_id),
    agency_id   text,
    needs       text[]  NOT NULL,
    status      text    NOT NULL,
    reason      text,
    sequence    integer NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX case_referrals_case ON case_referrals (case_id);

-- The police's decision on each breach: one per breach (the case's change count when it came to await it).
CREATE TABLE breach_decisions (
    case_id         uuid        NOT NULL REFERENCES cases (case_id),
    breach_sequence integer     NOT NULL,
    decision        text        NOT NULL,
    officer         text        NOT NULL,
    reason          text        NOT NULL,
    decided_at      timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (case_id, breach_sequence)
);

-- Who reports conditions for the police: the police system (officers) or the victim-contact role.
ALTER TABLE police_clients ADD COLUMN role text NOT NULL DEFAULT 'police' CHECK (role IN ('police', 'victim_contact'));

-- What the police decided and reported through intake, who did it and why. Append-only.
CREATE TABLE audit_log (
    id       bigserial   PRIMARY KEY,
    at       timestamptz NOT NULL,
    actor    text        NOT NULL,
    action   text        NOT NULL,
    case_id  uuid,
    detail   jsonb       NOT NULL,
    purpose  text        NOT NULL
);
CREATE RULE audit_log_append_only_update AS ON UPDATE TO audit_log DO INSTEAD NOTHING;
CREATE RULE audit_log_append_only_delete AS ON DELETE TO audit_log DO INSTEAD NOTHING;
