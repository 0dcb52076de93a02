-- The agencies' work on their referrals (issue 24): their own needs assessments, onward referrals, caseworker,
-- first contact, action plans and their approval, sessions, end-of-service reports, case notes, safeguarding
-- concerns and reminders to the person. Free text about the person (notes, a concern's details, a session's notes,
-- a report's summary) is kept sealed under the case's data key, so erasing the key erases it too.

ALTER TABLE referrals ADD COLUMN onward_from uuid;

-- The police read their own force's safeguarding concerns (their details, each read audited).
ALTER TABLE gateway_clients DROP CONSTRAINT gateway_clients_role_check;
ALTER TABLE gateway_clients ADD COLUMN force_id text;
ALTER TABLE gateway_clients ADD CONSTRAINT gateway_clients_role CHECK (role IN ('agency', 'operations', 'police'));
ALTER TABLE gateway_clients ADD CONSTRAINT gateway_clients_police_force CHECK ((role = 'police') = (force_id IS NOT NULL));

CREATE TABLE referral_work (
    referral_id          uuid PRIMARY KEY REFERENCES referrals (referral_id),
    case_id              uuid        NOT NULL,
    agency_id            text        NOT NULL,
    caseworker           text,
    first_contact_at     timestamptz,
    first_contact_method text,
    first_contact_due    date,
    report               jsonb,
    sequence             integer     NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE TABLE action_plans (
    plan_id          uuid PRIMARY KEY,
    referral_id      uuid        NOT NULL REFERENCES referral_work (referral_id),
    version          integer     NOT NULL,
    activities       jsonb       NOT NULL,
    goals            jsonb       NOT NULL,
    sessions_planned integer     NOT NULL,
    submitted_at     timestamptz NOT NULL,
    status           text        NOT NULL,
    decided_by       text,
    decided_at       timestamptz,
    reason           text,
    UNIQUE (referral_id, version)
);
CREATE INDEX action_plans_awaiting ON action_plans (submitted_at) WHERE status = 'awaiting_approval';

CREATE TABLE sessions (
    referral_id          uuid        NOT NULL REFERENCES referral_work (referral_id),
    appointment_id       uuid        NOT NULL,
    engagement           text        NOT NULL,
    concerning_behaviour boolean     NOT NULL,
    notes                text,
    recorded_at          timestamptz NOT NULL,
    PRIMARY KEY (referral_id, appointment_id)
);

CREATE TABLE programme_assessments (
    assessment_id uuid PRIMARY KEY,
    referral_id   uuid        NOT NULL REFERENCES referrals (referral_id),
    case_id       uuid        NOT NULL,
    agency_id     text        NOT NULL,
    version       integer     NOT NULL,
    needs         jsonb       NOT NULL,
    assessed_at   timestamptz NOT NULL,
    UNIQUE (referral_id, version)
);
CREATE INDEX programme_assessments_case ON programme_assessments (case_id);

CREATE TABLE case_notes (
    note_id     uuid PRIMARY KEY,
    case_id     uuid        NOT NULL,
    referral_id uuid        NOT NULL REFERENCES referrals (referral_id),
    author      text        NOT NULL,
    written_by  text        NOT NULL,
    text        text        NOT NULL,
    written_at  timestamptz NOT NULL
);
CREATE INDEX case_notes_referral ON case_notes (referral_id, written_at);

CREATE TABLE concerns (
    concern_id       uuid PRIMARY KEY,
    case_id          uuid        NOT NULL,
    referral_id      uuid        NOT NULL REFERENCES referrals (referral_id),
    agency_id        text        NOT NULL,
    force_id         text        NOT NULL,
    police_reference text        NOT NULL,
    kind             text        NOT NULL,
    urgency          text        NOT NULL,
    details          text,
    raised_at        timestamptz NOT NULL,
    acknowledged_by  text,
    acknowledged_at  timestamptz
);
CREATE INDEX concerns_waiting ON concerns (raised_at) WHERE acknowledged_by IS NULL;
CREATE INDEX concerns_force ON concerns (force_id, raised_at);

CREATE TABLE reminders (
    reminder_id     uuid PRIMARY KEY,
    case_id         uuid        NOT NULL,
    referral_id     uuid        NOT NULL REFERENCES referrals (referral_id),
    appointment_id  uuid        NOT NULL,
    scheduled_for   timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    status          text        NOT NULL,
    channel         text,
    notification_id text,
    reason          text,
    updated_at      timestamptz NOT NULL,
    UNIQUE (referral_id, appointment_id)
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'pending';
CREATE INDEX reminders_in_flight ON reminders (updated_at) WHERE status = 'sending';
