-- Disclosures join the audit trail of the common shape (platform_plumbing.audit_trail), with its hash
-- chain; the ones recorded so far move into it.
CREATE TABLE audit_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    purpose     text        NOT NULL,
    case_id     uuid,
    referral_id uuid,
    recipient   text,
    fields      text[]      NOT NULL DEFAULT '{}',
    detail      text        NOT NULL DEFAULT ''
);
INSERT INTO audit_log (at, actor, action, purpose, case_id, referral_id, recipient, fields, detail)
SELECT disclosed_at, 'referral-router', 'disclosure', 'referral', case_id, referral_id, agency_id, fields, purpose
FROM disclosures ORDER BY id;
DROP TABLE disclosures;

CREATE TABLE audit_chain (
    chain_seq bigint      PRIMARY KEY,
    audit_id  bigint      NOT NULL UNIQUE,
    prev_hash bytea       NOT NULL,
    row_hash  bytea       NOT NULL,
    sealed_at timestamptz NOT NULL
);
