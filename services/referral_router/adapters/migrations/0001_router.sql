-- The referral router's own tables.

-- The agency catalogue as last loaded from deploy/agencies/catalogue.yaml (reloadable).
CREATE TABLE agencies (
    agency_id   text PRIMARY KEY,
    name        text        NOT NULL,
    capacity    integer     NOT NULL,
    definition  jsonb       NOT NULL,
    catalogue_version text  NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL
);

-- What the router needs to know about an open case to match it (no names: see case_personal_details).
CREATE TABLE cases (
    case_id        uuid PRIMARY KEY,
    disposal_type  text    NOT NULL,
    age            integer NOT NULL,
    sex            text    NOT NULL,
    area           text    NOT NULL,
    domestic_abuse boolean NOT NULL,
    dash_risk      text,
    youth_offending_team boolean NOT NULL,
    status         text    NOT NULL CHECK (status IN ('open', 'withdrawn', 'closed')),
    opened_at      timestamptz NOT NULL
);

-- Kept only to pass on to the agency a referral is issued to; erasable on its own.
CREATE TABLE case_personal_details (
    case_id  uuid PRIMARY KEY REFERENCES cases (case_id) ON DELETE CASCADE,
    details  jsonb NOT NULL
);

-- The case's current needs (the latest assessment replaces the earlier).
CREATE TABLE case_needs (
    case_id        uuid NOT NULL REFERENCES cases (case_id),
    category       text NOT NULL,
    severity       text NOT NULL,
    preferred_mode text,
    PRIMARY KEY (case_id, category)
);

CREATE TABLE referrals (
    referral_id   uuid PRIMARY KEY,
    case_id       uuid        NOT NULL REFERENCES cases (case_id),
    agency_id     text        NOT NULL,
    needs         jsonb       NOT NULL,
    delivery_mode text        NOT NULL,
    status        text        NOT NULL CHECK (status IN (
        'queued', 'issued', 'accepted', 'in_progress', 'completed', 'disengaged',
        'declined', 'timed_out', 'agency_withdrew', 'cancelled')),
    explanation   text        NOT NULL,
    candidates    jsonb       NOT NULL,
    issued_at     timestamptz,
    respond_by    timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX referrals_case ON referrals (case_id);
CREATE INDEX referrals_active_by_agency ON referrals (agency_id) WHERE status IN ('issued', 'accepted', 'in_progress');
CREATE INDEX referrals_awaiting_answer ON referrals (respond_by) WHERE status = 'issued';
CREATE INDEX referrals_queued ON referrals (agency_id, created_at) WHERE status = 'queued';

-- Agencies that declined or did not answer, per case and need: never asked again for it.
CREATE TABLE exclusions (
    case_id   uuid NOT NULL,
    category  text NOT NULL,
    agency_id text NOT NULL,
    PRIMARY KEY (case_id, category, agency_id)
);

-- Needs nobody could take, for the operations team.
CREATE TABLE unmatched_needs (
    id          bigserial PRIMARY KEY,
    case_id     uuid        NOT NULL,
    needs       jsonb       NOT NULL,
    reason      text        NOT NULL,
    explanation text        NOT NULL,
    created_at  timestamptz NOT NULL
);

-- Every disclosure of personal details to an agency: who received what, when and why. Append-only.
CREATE TABLE disclosures (
    id           bigserial PRIMARY KEY,
    referral_id  uuid        NOT NULL,
    case_id      uuid        NOT NULL,
    agency_id    text        NOT NULL,
    fields       text[]      NOT NULL,
    purpose      text        NOT NULL,
    disclosed_at timestamptz NOT NULL
);
CREATE RULE disclosures_append_only_update AS ON UPDATE TO disclosures DO INSTEAD NOTHING;
CREATE RULE disclosures_append_only_delete AS ON DELETE TO disclosures DO INSTEAD NOTHING;
