-- The audit trail's common shape (platform_plumbing.audit_trail) and its hash chain. `detail` becomes a
-- few words without personal data (the old rows held whole events, officers' names and free-text reasons
-- among them: they keep only what was done, before anything is sealed); what changed is named in `fields`.
ALTER TABLE audit_log
    ALTER COLUMN detail TYPE text USING action,
    ADD COLUMN referral_id uuid,
    ADD COLUMN recipient   text,
    ADD COLUMN fields      text[] NOT NULL DEFAULT '{}';

CREATE TABLE audit_chain (
    chain_seq bigint      PRIMARY KEY,
    audit_id  bigint      NOT NULL UNIQUE,
    prev_hash bytea       NOT NULL,
    row_hash  bytea       NOT NULL,
    sealed_at timestamptz NOT NULL
);
