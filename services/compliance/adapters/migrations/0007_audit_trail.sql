-- The audit trail's common shape (platform_plumbing.audit_trail) and its hash chain.
ALTER TABLE audit_log
    ADD COLUMN recipient text,
    ADD COLUMN detail    text NOT NULL DEFAULT '';

CREATE TABLE audit_chain (
    chain_seq bigint      PRIMARY KEY,
    audit_id  bigint      NOT NULL UNIQUE,
    prev_hash bytea       NOT NULL,
    row_hash  bytea       NOT NULL,
    sealed_at timestamptz NOT NULL
);
