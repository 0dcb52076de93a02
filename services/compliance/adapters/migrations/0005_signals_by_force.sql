-- A reoffending signal is about one force's person: subject references are the force's own, so a
-- signal counts only against that force's cases (and only the force itself may send it).
ALTER TABLE reoffending_signals ADD COLUMN force_id text;
DROP INDEX reoffending_subject;
CREATE INDEX reoffending_subject ON reoffending_signals (force_id, subject_ref);
