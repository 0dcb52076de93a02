-- Disclosures are append-only because the runtime role is granted INSERT and SELECT on them and nothing
-- else (see bootstrap.TABLES), not because of rules that any role owning the table could drop and that
-- never covered TRUNCATE. Without the rules an administrator's edit is visible to the audit chain.
DROP RULE disclosures_append_only_update ON disclosures;
DROP RULE disclosures_append_only_delete ON disclosures;
