-- Compliance's own tables.

CREATE TABLE cases (
    case_id          uuid PRIMARY KEY,
    subject_ref      text        NOT NULL,
    force_id         text        NOT NULL,
    police_reference text        NOT NULL,
    disposal_type    text        NOT NULL,
    offence_category text        NOT NULL,
    domestic_abuse   boolean     NOT NULL,
    decided_at       timestamptz NOT NULL,
    complete_by      date        NOT NULL,
    status           text        NOT NULL,
    outcome_reason   text,
    outcome_at       timestamptz,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX cases_open_by_deadline ON cases (complete_by) WHERE status = 'open';
CREATE INDEX cases_subject ON cases (subject_ref);

CREATE TABLE conditions (
    condition_id   uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES cases (case_id),
    kind           text NOT NULL,
    description    text NOT NULL,
    addresses_need text,
    status         text NOT NULL DEFAULT 'open'
);
CREATE INDEX conditions_case ON conditions (case_id);

CREATE TABLE referrals (
    referral_id   uuid PRIMARY KEY,
    case_id       uuid        NOT NULL REFERENCES cases (case_id),
    agency_id     text        NOT NULL,
    needs         text[]      NOT NULL,
    delivery_mode text        NOT NULL,
    status        text        NOT NULL,
    unacceptable_absences integer NOT NULL DEFAULT 0,
    issued_at     timestamptz NOT NULL,
    respond_by    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX referrals_agency ON referrals (agency_id, issued_at);
CREATE INDEX referrals_case ON referrals (case_id);

-- The contact details an agency needs for its referral; erasable on their own.
CREATE TABLE referral_personal_details (
    referral_id uuid PRIMARY KEY REFERENCES referrals (referral_id) ON DELETE CASCADE,
    details     jsonb NOT NULL
);

-- Every agency update received, applied or only recorded, in arrival order.
CREATE TABLE referral_updates (
    id          bigserial PRIMARY KEY,
    referral_id uuid        NOT NULL,
    agency_id   text        NOT NULL,
    update_type text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    applied     boolean     NOT NULL,
    detail      jsonb       NOT NULL,
    received_via text       NOT NULL
);
CREATE INDEX referral_updates_referral ON referral_updates (referral_id, id);

-- Diverted people named in a new investigation (the reoffending signal).
CREATE TABLE reoffending_signals (
    id           bigserial PRIMARY KEY,
    subject_ref  text    NOT NULL,
    named_on     date    NOT NULL,
    domestic_abuse boolean NOT NULL
);
CREATE INDEX reoffending_subject ON reoffending_signals (subject_ref);

-- Who may use the gateway: partner agencies (their own referrals) and operations (reports).
CREATE TABLE gateway_clients (
    client_id  text PRIMARY KEY,
    role       text        NOT NULL CHECK (role IN ('agency', 'operations')),
    agency_id  text,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL,
    CHECK ((role = 'agency') = (agency_id IS NOT NULL))
);

CREATE TABLE api_keys (
    key_id       text PRIMARY KEY,
    principal_id text        NOT NULL REFERENCES gateway_clients (client_id),
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);

-- Every consultation or disclosure of a referral's personal data: who, when, what, why. Append-only.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    referral_id uuid,
    case_id     uuid,
    fields      text[]      NOT NULL,
    purpose     text        NOT NULL
);
CREATE RULE audit_log_append_only_update AS ON UPDATE TO audit_log DO INSTEAD NOTHING;
CREATE RULE audit_log_append_only_delete AS ON DELETE TO audit_log DO INSTEAD NOTHING;
