-- The sealer chains rows in the order their transactions are known to be over (platform_plumbing.audit_trail),
-- which it finds from where it stopped instead of looking for unsealed rows among all of them: each row
-- carries its transaction's id; the rows sealed already sort before any other.
ALTER TABLE audit_log ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
UPDATE audit_log a SET tx = '0' WHERE EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id);
CREATE INDEX audit_log_sealing_order ON audit_log (tx, id);
