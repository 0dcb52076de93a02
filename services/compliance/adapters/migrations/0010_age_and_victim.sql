-- The person's age at the offence (the reports split adults from youths: the source's 73% is adults'), and
-- whether the case has an identifiable victim (whose contact role is told each change to its outcome).
ALTER TABLE cases ADD COLUMN age_at_offence int, ADD COLUMN victim boolean NOT NULL DEFAULT false;
