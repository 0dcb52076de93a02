-- Intake's own tables. Personal details live apart from the case, so they can be erased alone.
CREATE TABLE cases (
    case_id         uuid PRIMARY KEY,
    force_id        text        NOT NULL,
    police_reference text       NOT NULL,
    subject_ref     text        NOT NULL,
    disposal_type   text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('open', 'rejected', 'withdrawn')),
    policy_version  text        NOT NULL,
    rule_outcomes   jsonb       NOT NULL,
    youth_offending_team boolean NOT NULL,
    decided_at      timestamptz NOT NULL,
    complete_by     date,
    deadline_extended boolean   NOT NULL DEFAULT false,
    received_via    text        NOT NULL CHECK (received_via IN ('http', 'kafka')),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (force_id, police_reference)
);

CREATE TABLE case_personal_details (
    case_id  uuid PRIMARY KEY REFERENCES cases (case_id) ON DELETE CASCADE,
    details  jsonb NOT NULL
);

CREATE TABLE needs_assessments (
    id          bigserial PRIMARY KEY,
    case_id     uuid        NOT NULL REFERENCES cases (case_id),
    needs       jsonb       NOT NULL,
    assessed_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX needs_assessments_case ON needs_assessments (case_id, id);

-- What happened to a case, in order, for the police system that reads its status.
CREATE TABLE case_history (
    id          bigserial PRIMARY KEY,
    case_id     uuid        NOT NULL REFERENCES cases (case_id),
    what        text        NOT NULL,
    detail      text        NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX case_history_case ON case_history (case_id, id);

-- Idempotency-Key header values: the same key from the same client returns the same case.
CREATE TABLE idempotency_keys (
    client_id   text NOT NULL,
    key         text NOT NULL,
    case_id     uuid NOT NULL REFERENCES cases (case_id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (client_id, key)
);

-- Police clients and their API keys (only a SHA-256 of each secret is kept).
CREATE TABLE police_clients (
    client_id  text PRIMARY KEY,
    force_id   text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
    key_id      text PRIMARY KEY,
    principal_id text       NOT NULL REFERENCES police_clients (client_id),
    secret_hash bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
