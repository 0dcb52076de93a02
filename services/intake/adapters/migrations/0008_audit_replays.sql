-- A dead letter read again at the operations team's request is applied as its original sender's; each audit
-- row written meanwhile names the operator who asked beside its actor (platform_plumbing.audit_trail).
ALTER TABLE audit_log ADD COLUMN replayed_by text;
