-- The audit log is append-only because the runtime role is granted INSERT and SELECT on it and nothing
-- else (see bootstrap.TABLES), not because of rules that any role owning the table could drop and that
-- never covered TRUNCATE. Without the rules an administrator's edit is visible to the audit chain.
DROP RULE audit_log_append_only_update ON audit_log;
DROP RULE audit_log_append_only_delete ON audit_log;
